"""Conversations: answer a citizen's message through the dialog, record its reply and send it through the channels.

Above dialog and channels (it speaks both), below the entry points: the RQ jobs in jobs/ parse their arguments,
call one function here and answer. What to run later (a reply's sending, a busy message's next try) is passed in by
the job as the job function itself, so nothing here imports jobs/ or RQ.
"""
