"""How sure the NLU must be before its intent opens a flow: one threshold per model, and what counts as a flow.

Chosen on the validation split (dialog/nlu/validation), never on the held-out one, by
`python -m dialog.nlu.evaluate --calibrate`: the lowest threshold at which, on validation, out-of-scope messages
taken into a flow stay under OUT_OF_SCOPE_ACCEPTED and in-scope messages taken into the wrong flow under
WRONG_ACCEPTED, so that the most in-scope messages are understood at once. Below it the bot asks which of the
likely things was meant. Imports nothing of the application (the Rasa environment reads it too).
"""
from __future__ import annotations

__all__ = ["FLOW_INTENTS", "OUT_OF_SCOPE", "RASA_ACCEPT", "EMBEDDED_ACCEPT", "OUT_OF_SCOPE_ACCEPTED",
           "WRONG_ACCEPTED"]

OUT_OF_SCOPE = "out_of_scope"  # the intent of everything the service does not do (its split in dialog.nlu.corpus)
# The intents that open a flow of their own (dialog.understanding.INTENTS); affirm, deny and cancel only answer
# a question, and out_of_scope gets the answer of what the service does.
FLOW_INTENTS = frozenset({"order", "track", "complain", "help", "greet", "human", "change_language", "pay_sms",
                          "pay_card"})
# Half the targets of issue 15 on the held-out split (Rasa 10 %, embedded 15 %, wrong flow 4 %): the validation
# split is small, a threshold that only just meets the targets there would miss them on new messages.
OUT_OF_SCOPE_ACCEPTED = {"rasa": 0.05, "embedded": 0.07}
WRONG_ACCEPTED = 0.02
# On validation (2026-12-03, the model trained on the data of issue 15's last round), `evaluate --calibrate`: the
# embedded classifier keeps out-of-scope at 2.2 % and wrong flows at 1.1 % at 0.30, the grid's floor; Rasa takes
# 6.7 % of out-of-scope messages into a flow below 0.45, 4.4 % at 0.45-0.55 and 2.2 % from 0.60, with no wrong flow
# at any threshold: 0.45 is the lowest within the bounds. (Before that round's out-of-scope lines, no threshold kept
# Rasa under 5 % and the grid's ceiling, 0.95, was taken.)
RASA_ACCEPT = 0.45
EMBEDDED_ACCEPT = 0.30
