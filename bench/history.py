"""Synthetic history for bench.growth, loaded in bulk SQL (INSERT ... SELECT generate_series) on PostgreSQL.

The last WINDOW_DAYS hold the same WINDOW orders at every size (what the staff pages and reports of a period
read); older history, over the rest of the year before, is what grows: 1,000 orders at 10k, 991,000 at 1M. Orders
are numbered: ids 1..WINDOW are the window, the rest is history; each block of ids is added once, so that a run
grows one database from 10k to 100k to 1M orders. Every 10th order belongs to the benchmark's own office (HOME),
the rest to 2,000 offices (the seeded directory and synthetic ones).

Per order: its line; its events up to its current status (paid, received, taken, ready, dispatched, delivered,
or expired unpaid); a payment by card (five orders share a 100 MAD card; each batch with its cards counted by status,
as the app keeps them) or by premium SMS (one succeeded charge); 1% a complaint with its events; 0.5% a credit.
Recent orders of the window (add_messages) also have their outbox rows and ~7 messages each with two delivery
events: older ones' are those a retention job has already deleted.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

__all__ = ["WINDOW", "WINDOW_DAYS", "HOME", "HOME_PROVINCE", "OFFICES", "prepare", "add_orders", "window_plan",
           "add_messages", "MESSAGE_KINDS"]

WINDOW, WINDOW_DAYS, YEAR_DAYS = 9_000, 120, 365
HOME, HOME_PROVINCE = "42101", "421"  # Rabat Agdal-Riyad: the office whose staff open the pages
OFFICES = 2_000
CARDS_PER_BATCH = 1_000
# Each message of an order: (kind, the planned stage whose time it is sent at).
MESSAGE_KINDS = (("order_placed", "created_at"), ("payment_received", "paid_at"), ("order_received", "paid_at"),
                 ("order_in_progress", "taken_at"), ("order_ready", "ready_at"), ("order_dispatched", "sent_at"),
                 ("order_delivered", "delivered_at"))
_STAGE_EVENTS = (  # (from, to, the plan's time column, role)
    ("awaiting_payment", "paid", "paid_at", "system"), ("paid", "received", "paid_at", "system"),
    ("received", "in_progress", "taken_at", "agent"), ("in_progress", "ready", "ready_at", "agent"),
    ("ready", "dispatched", "sent_at", "agent"), ("dispatched", "delivered", "delivered_at", "system"),
)


def prepare(conn, now: datetime, home_agent_id: int) -> None:
    """Offices up to OFFICES (spread over the seeded communes), one card batch per 1,000 cards, session settings."""
    conn.execute(text("SET synchronous_commit = off"))
    conn.execute(text("SET work_mem = '64MB'"))
    missing = OFFICES - conn.execute(text("SELECT count(*) FROM offices")).scalar()
    conn.execute(text(f"""
        INSERT INTO offices (code, commune_code, name_fr, name_ar, service_days, search_latin, search_arabic, active)
        SELECT 'B' || lpad(g::text, 5, '0'), c.code, 'Bureau ' || g, 'مكتب ' || g, 3, 'bureau ' || g, '', true
        FROM generate_series(1, {max(missing, 0)}) g
        JOIN (SELECT code, row_number() OVER (ORDER BY code) - 1 AS n FROM communes) c
          ON c.n = g % (SELECT count(*) FROM communes)"""))
    conn.execute(text("CREATE TEMP TABLE bench_offices AS SELECT code, row_number() OVER (ORDER BY code) - 1 AS n "
                      "FROM offices WHERE code <> :home"), {"home": HOME})
    conn.execute(text("CREATE TEMP TABLE bench_clock AS SELECT CAST(:now AS timestamptz) AS now, "
                      "CAST(:agent AS bigint) AS agent"), {"now": now, "agent": home_agent_id})


def _plan(conn, lo: int, hi: int) -> None:
    """The block's orders and when each reached each stage (a stage after `now` is not reached yet)."""
    if hi <= WINDOW:  # the window: evenly over its days
        start, span = f"now - interval '{WINDOW_DAYS} days'", f"interval '{WINDOW_DAYS * 86400 // WINDOW} seconds'"
        created = f"{start} + (g - 0.5) * {span}"
    else:  # history: the block spread evenly over the year before the window
        seconds = (YEAR_DAYS - WINDOW_DAYS) * 86400 / (hi - lo + 1)
        created = f"now - interval '{YEAR_DAYS} days' + (g - {lo} + 0.5) * interval '{seconds:.3f} seconds'"
    conn.execute(text("DROP TABLE IF EXISTS bench_plan"))
    conn.execute(text(f"""
        CREATE TEMP TABLE bench_plan AS
        SELECT g, created_at, now, agent, g % 50 = 25 AS unpaid,
               CASE WHEN g % 10 = 0 THEN '{HOME}' ELSE code END AS office_code,
               created_at + interval '1 minute' AS paid_at,
               created_at + interval '1 minute' + (g % 47 + 1) * interval '1 hour' AS taken_at,
               created_at + interval '1 minute' + (g % 47 + g % 23 + 2) * interval '1 hour' AS ready_at,
               created_at + interval '1 minute' + (g % 47 + g % 23 + g % 11 + 3) * interval '1 hour' AS sent_at,
               created_at + interval '1 minute' + (g % 47 + g % 23 + g % 11 + 75) * interval '1 hour' AS delivered_at
        FROM (SELECT g, {created} AS created_at, now, agent FROM generate_series({lo}, {hi}) g, bench_clock) s
        JOIN bench_offices o ON o.n = (g / 10) % (SELECT count(*) FROM bench_offices)"""))
    _run(conn, """
        ALTER TABLE bench_plan ADD COLUMN status text;
        UPDATE bench_plan SET status = CASE
            WHEN unpaid THEN CASE WHEN created_at + interval '72 hours' <= now THEN 'expired' ELSE 'awaiting_payment' END
            WHEN delivered_at <= now THEN 'delivered' WHEN sent_at <= now THEN 'dispatched'
            WHEN ready_at <= now THEN 'ready' WHEN taken_at <= now THEN 'in_progress' ELSE 'received' END;
        ANALYZE bench_plan""")


def _run(conn, statements: str) -> None:
    """Several statements, one execute each (a parameterless multi-statement string is not portable)."""
    for statement in statements.split(";\n"):
        if statement.strip():
            conn.execute(text(statement))


def add_orders(conn, lo: int, hi: int) -> None:
    """Orders lo..hi with their lines, events, payments, cards, charges, complaints and credits."""
    _plan(conn, lo, hi)
    for statements in (_ORDERS, _LINES, _CARDS, _REDEMPTIONS, _PREMIUM, _CHARGES, _PAYMENTS, _COMPLAINTS,
                       _COMPLAINT_EVENTS, _CREDITS):
        _run(conn, statements)
    conn.execute(text("""INSERT INTO order_events (order_id, from_status, to_status, actor_id, role, channel,
                                                   office_code, at)
                         SELECT g, NULL, 'awaiting_payment', 'citizen', 'citizen', 'ussd', office_code, created_at
                         FROM bench_plan"""))
    for before, after, column, role in _STAGE_EVENTS:
        actor = "CASE WHEN office_code = '%s' THEN agent::text ELSE '0' END" % HOME if role == "agent" else "'system'"
        conn.execute(text(f"""INSERT INTO order_events (order_id, from_status, to_status, actor_id, role, channel,
                                                        office_code, at)
                              SELECT g, '{before}', '{after}', {actor}, '{role}', 'web', office_code, {column}
                              FROM bench_plan WHERE NOT unpaid AND {column} <= now"""))
    conn.execute(text("""INSERT INTO order_events (order_id, from_status, to_status, actor_id, role, channel,
                                                   office_code, at)
                         SELECT g, 'awaiting_payment', 'expired', 'system', 'system', 'system', office_code,
                                created_at + interval '72 hours'
                         FROM bench_plan WHERE status = 'expired'"""))
    for table in ("orders", "order_events", "order_lines", "payments", "cards", "card_redemptions",
                  "premium_payments", "premium_charges", "complaints", "complaint_events", "credit_entries"):
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                          f"(SELECT coalesce(max(id), 1) FROM {table}))"))


def add_messages(conn, first_created: datetime, last_created: datetime) -> None:
    """Outbox rows and messages (with their sent and delivered events) of the window's orders created between."""
    span = {"first": first_created, "last": last_created}
    kinds = " UNION ALL ".join(f"SELECT {n} AS k, '{kind}' AS kind, '{column}' AS col"
                               for n, (kind, column) in enumerate(MESSAGE_KINDS))
    at = "CASE m.col " + " ".join(f"WHEN '{c}' THEN p.{c}" for _, c in MESSAGE_KINDS) + " END"
    conn.execute(text(f"""
        CREATE TEMP TABLE bench_sent AS
        SELECT p.g, p.office_code, m.k, m.kind, {at} AS at FROM bench_window p, ({kinds}) m
        WHERE p.created_at >= :first AND p.created_at < :last AND NOT p.unpaid AND {at} <= p.now"""), span)
    conn.execute(text("""
        INSERT INTO outbox (topic, payload, created_at, enqueued_at, done_at, attempts)
        SELECT 'order.' || kind, json_build_object('order_id', g, 'kind', kind), at, at, at + interval '1 second', 1
        FROM bench_sent ORDER BY at"""))
    conn.execute(text("""
        INSERT INTO notification_messages (key, audience, kind, template, language, channel, contact, recipient, text,
            segments, variables, urgent, status, provider, provider_message_id, attempts, provider_attempts,
            enqueued_at, order_id, created_at, updated_at, sent_at)
        SELECT 'bench:' || g || ':' || k, 'citizen', kind, kind, 'fr', 'sms', '+2126' || lpad(g::text, 8, '0'),
               '+2126' || lpad(g::text, 8, '0'),
               'Chabbak: votre demande ' || lpad(g::text, 10, '0') || ' a avancé (' || kind
                 || '). Suivi: composez *123# ou répondez SUIVI ' || lpad(g::text, 10, '0') || '.',
               1, json_build_object('ref', lpad(g::text, 10, '0')), false, 'delivered', 'africastalking',
               'ATXid_' || md5(g || ':' || k), 1, 1, at, g, at, at + interval '5 seconds', at + interval '1 second'
        FROM bench_sent ORDER BY at
        ON CONFLICT (key) DO NOTHING"""))
    conn.execute(text("""
        INSERT INTO notification_events (message_id, status, provider, at, detail)
        SELECT id, s.status, 'africastalking', created_at + s.after, NULL
        FROM notification_messages, (VALUES ('sent', interval '1 second'), ('delivered', interval '5 seconds'))
             AS s(status, after)
        WHERE key LIKE 'bench:%' AND NOT EXISTS (SELECT 1 FROM notification_events e WHERE e.message_id = id)"""))
    conn.execute(text("DROP TABLE bench_sent"))


_ORDERS = f"""
INSERT INTO orders (id, reference, status, version, office_code, record_office_code, act_number, record_year,
    year_calendar, family_name_latin, first_name_latin, family_name_ar, first_name_ar, father_first_name,
    mother_full_name, birth_date, requester_contact, requester_phone, requester_relation, language, channel,
    delivery_zone, delivery_country, delivery_recipient, delivery_address, delivery_city, delivery_postal_code,
    price_base, price_copies, price_postage, price_top_up, total, agent_id, barcode, rejection_reason,
    created_at, paid_at, expires_at)
SELECT g, lpad(g::text, 10, '0'), status, 1, office_code, office_code, (g % 9999 + 1)::text, 1960 + g % 60,
    'gregorian', 'Bennani', 'Amina', 'بناني', 'أمينة', 'Mohammed', 'Fatima Zahra Alaoui',
    DATE '1960-01-01' + (g % 20000), '+2126' || lpad(g::text, 8, '0'), '+2126' || lpad(g::text, 8, '0'), 'self',
    CASE WHEN g % 3 = 0 THEN 'ar' ELSE 'fr' END, (ARRAY['ussd', 'sms', 'whatsapp'])[1 + g % 3], 'MA', 'MA',
    'Amina Bennani', g || ' rue des Orangers', 'Rabat', '10000', 1000, 500, 500, 0, 2000,
    CASE WHEN office_code = '{HOME}' AND status NOT IN ('received', 'awaiting_payment', 'expired') THEN agent END,
    CASE WHEN status IN ('dispatched', 'delivered') THEN 'RR' || lpad(g::text, 9, '0') || 'MA' END, NULL,
    created_at, CASE WHEN NOT unpaid THEN paid_at END, created_at + interval '72 hours'
FROM bench_plan"""
_LINES = "INSERT INTO order_lines (order_id, document, copies) SELECT g, 'extract', 1 FROM bench_plan"
_CARDS = f"""
INSERT INTO card_batches (id, value, size, created_by, created_at, expires_at, exported_at)
SELECT DISTINCT b, 10000, {CARDS_PER_BATCH}, 'bench', now - interval '400 days', now + interval '400 days',
       now - interval '400 days'
FROM (SELECT ((g - 1) / 10) / {CARDS_PER_BATCH} + 1 AS b, now FROM bench_plan) s
ON CONFLICT (id) DO NOTHING;
INSERT INTO cards (id, serial, batch_id, value, pin_hash, status, created_at, expires_at, activated_at)
SELECT DISTINCT ON (c) c, 'B' || lpad(c::text, 11, '0'), (c - 1) / {CARDS_PER_BATCH} + 1, 10000,
       md5(c::text) || md5('pin' || c), 'active', now - interval '400 days', now + interval '400 days',
       now - interval '399 days'
FROM (SELECT (g - 1) / 10 + 1 AS c, now FROM bench_plan) s
ON CONFLICT (id) DO NOTHING;
UPDATE card_batches b SET active_cards = (SELECT count(*) FROM cards WHERE batch_id = b.id AND status = 'active')
WHERE b.id IN (SELECT DISTINCT ((g - 1) / 10) / {CARDS_PER_BATCH} + 1 FROM bench_plan)"""
_REDEMPTIONS = """
INSERT INTO card_redemptions (id, card_id, order_id, amount, contact_key, channel, at)
SELECT g, (g - 1) / 10 + 1, g, 2000, md5(g::text) || md5('k' || g), 'ussd', paid_at
FROM bench_plan WHERE NOT unpaid AND g % 2 = 1"""
_PREMIUM = """
INSERT INTO premium_payments (id, order_id, reference, contact, language, short_code, keyword, link_id, price,
    messages, status, created_at, confirmed_at, closed_at)
SELECT g, g, lpad(g::text, 10, '0'), '+2126' || lpad(g::text, 8, '0'), 'fr', '1919', 'PAY', 'link-' || g, 2000, 1,
       'covered', paid_at - interval '50 seconds', paid_at - interval '40 seconds', paid_at
FROM bench_plan WHERE NOT unpaid AND g % 2 = 0"""
_CHARGES = """
INSERT INTO premium_charges (id, payment_id, order_id, provider, short_code, link_id, provider_message_id, step,
    amount, status, created_at, sent_at, final_at)
SELECT g, g, g, 'africastalking', '1919', 'link-' || g, 'ATPid_' || g, 1, 2000, 'succeeded',
       paid_at - interval '40 seconds', paid_at - interval '39 seconds', paid_at
FROM bench_plan WHERE NOT unpaid AND g % 2 = 0"""
_PAYMENTS = """
INSERT INTO payments (id, order_id, means, source_ref, amount, applied, at)
SELECT g, g, CASE WHEN g % 2 = 1 THEN 'card' ELSE 'premium_sms' END,
       CASE WHEN g % 2 = 1 THEN g::text ELSE 'ATPid_' || g END, 2000, 2000, paid_at
FROM bench_plan WHERE NOT unpaid"""
_COMPLAINTS = """
INSERT INTO complaints (id, reference, order_id, contact, phone, language, channel, category, text, status,
    assignee_role, province_code, assignee_id, resolution_note, attachments, created_at, version)
SELECT g, 'C' || lpad(g::text, 9, '0'), g, '+2126' || lpad(g::text, 8, '0'), '+2126' || lpad(g::text, 8, '0'), 'fr',
       'sms', CASE WHEN g % 200 = 7 THEN 'payment' ELSE 'late' END, 'Mon extrait n''est toujours pas arrivé.',
       CASE WHEN c_at < now - interval '14 days' THEN 'resolved' ELSE 'open' END,
       CASE WHEN g % 200 = 7 THEN 'support' ELSE 'inspector' END,
       CASE WHEN g % 200 = 7 THEN NULL ELSE (SELECT province_code FROM offices o JOIN communes c
                                             ON c.code = o.commune_code WHERE o.code = office_code) END,
       NULL, NULL, '[]', c_at, 1
FROM (SELECT *, least(paid_at + interval '5 days', now - interval '1 minute') AS c_at FROM bench_plan
      WHERE NOT unpaid AND g % 100 = 7) s"""
_COMPLAINT_EVENTS = """
INSERT INTO complaint_events (complaint_id, from_status, to_status, actor_id, role, channel, at)
SELECT id, NULL, 'open', contact, 'citizen', 'sms', created_at FROM complaints
WHERE id IN (SELECT g FROM bench_plan)
UNION ALL
SELECT id, 'open', 'resolved', '0', assignee_role, 'web', created_at + interval '2 days' FROM complaints
WHERE id IN (SELECT g FROM bench_plan) AND status = 'resolved'"""
_CREDITS = """
INSERT INTO credit_entries (account, amount, reason, order_id, at)
SELECT '+2126' || lpad(g::text, 8, '0'), 500, 'overpayment', g, paid_at FROM bench_plan
WHERE NOT unpaid AND g % 200 = 3"""


def window_plan(conn) -> None:
    """Keep the window's plan (its stage times) for the messages added later."""
    conn.execute(text("DROP TABLE IF EXISTS bench_window"))
    conn.execute(text("CREATE TEMP TABLE bench_window AS SELECT * FROM bench_plan"))

