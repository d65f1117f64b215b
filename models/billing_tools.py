"""Checks shared by every billing operation: each rule has one home here."""
import decimal
import math
import numbers
import os
import re
import time

import psycopg2.errors

from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools import formatLang

# Digits with up to four separators of any kind between them (spaces, tabs, new lines, no-break
# spaces, dots, commas, dashes of any width, slashes, pipes): "4111 1111 1111 1111", "4111 - 1111 ...".
CARD_CANDIDATE = re.compile(r"(?<!\d)\d(?:[\W_]{0,4}\d){12,18}(?!\d)")


def shown(value):
    """``value`` as a message may show it: short, and never a card number (messages reach logs)."""
    text = CARD_CANDIDATE.sub("[number hidden]", repr(value))
    return text if len(text) <= 60 else text[:57] + "..."


def is_number(value):
    """A real number given over RPC (a boolean is not one)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


# A float holds 15 significant digits exactly: a number with more is no longer what the user typed, and
# is a typing mistake at a front desk anyway.
SIGNIFICANT_DIGITS = 15
# Odoo books amounts as floats and sums lines and taxes: from 10^13 of the currency's smallest unit on
# (100,000,000,000.00 with cents), a document's lines no longer balance to the cent ("The entry is not
# balanced"), so an amount must stay below that.
AMOUNT_DIGITS = 13


def _too_large(env, label, value, maximum):
    return UserError(env._(
        "%(label)s %(value)s is too large: it must be less than %(maximum)s. Check it for a misplaced decimal "
        "point or extra zeros and enter it again.", label=label, value=shown(value), maximum=maximum))


def to_number(env, value, label=None, maximum=10.0 ** SIGNIFICANT_DIGITS):
    """``value`` as a finite float below ``maximum`` (in absolute value); text, booleans, lists, NaN,
    infinities and numbers too large to be exact are refused."""
    label = label or env._("The amount")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise UserError(env._("%(label)s must be a number, not %(value)s.", label=label, value=shown(value)))
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float: too large, said below
        number = value
    if isinstance(number, float) and not math.isfinite(number):
        raise UserError(env._("%(label)s must be a finite number, not %(value)s: enter it in figures, for "
                              "example 25.00.", label=label, value=shown(value)))
    if maximum is not None and abs(number) >= maximum:
        raise _too_large(env, label, value, formatLang(env, maximum, digits=0))
    return number


def off_rounding(value, currency):
    """Whether ``value`` as written (its shortest repr: 9999999999999.99, though as a float it is
    9999999999999.990234375) is not a multiple of ``currency``'s rounding: more decimals than a rounding
    of 0.01 allows, or 10.03 in a currency rounded to 0.05."""
    return decimal.Decimal(repr(float(value))) % decimal.Decimal(repr(currency.rounding)) != 0


def to_amount(env, amount, currency, label=None, allow_zero=False):
    """``amount`` as a float once it is a number >= 0 (> 0 unless ``allow_zero``), less than
    10^13 of the currency's smallest unit (AMOUNT_DIGITS) and with no more decimals than
    ``currency`` allows."""
    label = label or env._("The amount")
    value = to_number(env, amount, label, maximum=None)
    maximum = 10.0 ** (AMOUNT_DIGITS - currency.decimal_places)
    if abs(value) >= maximum:  # the limit said in whole units: a float that large has no exact cents to show
        raise _too_large(env, label, value, f"{formatLang(env, maximum, digits=0)} {currency.name}")
    sign = currency.compare_amounts(value, 0.0)
    if sign < 0 or (sign == 0 and not allow_zero):
        raise UserError(env._("%(label)s must be greater than 0.", label=label) if not allow_zero
                        else env._("%(label)s cannot be negative.", label=label))
    if abs(value - currency.round(value)) > 1e-9 and off_rounding(value, currency):
        raise UserError(env._(
            "%(label)s %(amount)s has more decimals than the currency %(currency)s allows (%(digits)s).",
            label=label, amount=value, currency=currency.name, digits=currency.decimal_places,
        ))
    return currency.round(value)


def check_amount(env, amount, currency, label=None):
    """Return ``amount`` as a float once it is > 0 and has no more decimals than ``currency``."""
    return to_amount(env, amount, currency, label)


def to_id(env, value, label):
    """A record id given over RPC: a positive integer (not a list, text or boolean)."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise UserError(env._("%(label)s must be given as one record id, not %(value)s.",
                              label=label, value=shown(value)))
    return value


def check_single(records, what):
    """Public methods work on one record: several (or none) is a clear error, not a traceback."""
    if len(records) != 1:
        raise UserError(records.env._(
            "Select exactly one %(what)s for this operation (%(count)s given).",
            what=what, count=len(records)))
    return records


def check_note(env, note, what=None):
    """Notes are required for credits, charges and refunds (docs/rules.md §4)."""
    if note not in (None, False) and not isinstance(note, str):
        raise UserError(env._("The note must be text, not %(value)s.", value=shown(note)))
    if not note or not note.strip():
        raise UserError(env._("A note is required for %(what)s: say why, for the client's file.",
                          what=what or env._("this operation")))
    check_no_card_number(env, note)
    return note.strip()


def luhn_ok(digits):
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def contains_card_number(text):
    if not text:
        return False
    for match in CARD_CANDIDATE.finditer(str(text)):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            return True
    return False


def check_no_card_number(env, *texts, error=UserError):
    """R7.3: a full card number is refused and never stored."""
    if any(contains_card_number(text) for text in texts):
        raise error(env._(
            "A full card number cannot be recorded. Keep only the card type and its last four "
            "digits (and the authorisation code)."
        ))


def check_company(env, records, company, what):
    """docs/rules.md §5: a journal, tax or document of another company is refused."""
    foreign = records.filtered(lambda r: r.company_id and r.company_id not in company.parent_ids)
    if foreign:
        raise UserError(env._(
            "%(what)s %(names)s belongs to another company (%(other)s); use one of %(company)s.",
            what=what, names=", ".join(foreign.mapped("display_name")),
            other=", ".join(foreign.company_id.mapped("name")), company=company.name,
        ))


REFUND_GROUP = "account_billing_operations.group_billing_refund"
# docs/rules.md §5: the module's credit notes (account.move.billing_operation); money given back on them is a refund.
BILLING_CREDIT_OPERATIONS = ("credit", "cancellation")


def can_refund(env):
    """docs/rules.md §5: may this user give money back (R3, R4, R5, R6's refund)? For views and wizards."""
    return env.su or env.user.has_group(REFUND_GROUP)


def check_refund_access(env, message=None):
    """docs/rules.md §5: refunds belong to the group "Billing: refunds"; ``message`` says what to do instead."""
    if not can_refund(env):
        raise AccessError(message or env._(
            "Only the users of the group \"Billing: refunds\" can record, cancel or settle refunds. "
            "Ask an accounting manager to do it or to give you that access."))


def to_text(env, value, label):
    """A free-text argument given over RPC: text (or nothing), never a number or a list."""
    if value in (None, False, ""):
        return False
    if not isinstance(value, str):
        raise UserError(env._("%(label)s must be text, not %(value)s.", label=label, value=shown(value)))
    return value.strip() or False


def check_journal(env, journal_id, what, currency=None):
    """The bank or cash journal ``journal_id`` (an id from a form or RPC) of the current company,
    able to hold ``currency``. ``what`` names it for the user ("a payment mode")."""
    if journal_id in (None, False, 0):
        raise UserError(env._("Choose %(what)s: a bank or cash journal.", what=what))
    # Read as superuser: a journal of another company is refused by name, not with an access error.
    journal = env["account.journal"].browse(to_id(env, journal_id, env._("The journal"))).sudo().exists()
    if not journal:
        raise UserError(env._("Choose %(what)s: a bank or cash journal.", what=what))
    if journal.type not in ("bank", "cash"):
        raise UserError(env._("%(journal)s is not a bank or cash journal: choose %(what)s among the bank and "
                              "cash journals.", journal=journal.display_name, what=what))
    check_company(env, journal, env.company, env._("The journal"))
    journal = journal.sudo(False)
    if currency and journal.currency_id and journal.currency_id != currency:
        raise UserError(env._(
            "The journal %(journal)s is in %(journal_currency)s and this is in %(currency)s: choose a journal in "
            "%(currency)s or without a currency.", journal=journal.display_name,
            journal_currency=journal.currency_id.name, currency=currency.name))
    return journal


def try_lock_rows(records, savepoint=True):
    """Lock ``records`` for this transaction (FOR NO KEY UPDATE NOWAIT); False when another worker
    holds them (nothing is locked then). A batch (the settlement run) leaves such a record for its
    next run; an operation a user asked for calls ``lock_rows``.

    The rows are also written (a new row version, same values): a worker whose transaction started
    before this one commits (REPEATABLE READ: it does not see what this one did) then fails to lock
    them, instead of getting the lock once this one has committed and checking a cap on its stale
    snapshot.

    ``savepoint=False``: for a caller already in a savepoint that a refusal rolls back (an operation
    run by ``account.billing.idempotency._run``), which then raises: the failed lock leaves the
    transaction aborted until that savepoint is rolled back, and two queries are saved.
    """
    if not records:
        return True
    env = records.env
    query = SQL(
        "UPDATE %(table)s SET write_date = write_date WHERE id IN ("
        "SELECT id FROM %(table)s WHERE id IN %(ids)s FOR NO KEY UPDATE NOWAIT)",
        table=SQL.identifier(records._table), ids=tuple(records.ids),
    )
    try:
        # A conflict is expected here, not a bad query: do not log it as an error.
        if savepoint:
            with env.cr.savepoint(flush=False):
                env.cr.execute(query, log_exceptions=False)
        else:
            env.cr.execute(query, log_exceptions=False)
    except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
        return False
    return True


def lock_rows(records, message=None, savepoint=True):
    """Lock ``records`` for this transaction (``try_lock_rows``). Another worker holding them makes
    this a clear UserError (``message``, else "try again in a moment"), not a traceback. The message is
    made before the lock is tried: without a savepoint, a refused lock leaves nothing to read with."""
    message = message or records.env._(
        "Another user is working on this client's billing right now. Try again in a moment.")
    if not try_lock_rows(records, savepoint=savepoint):
        raise UserError(message)


def wizard_action(model, name, context):
    """The window action that opens an operation's wizard in a dialog."""
    return {
        "type": "ir.actions.act_window",
        "name": name,
        "res_model": model,
        "view_mode": "form",
        "target": "new",
        "context": context,
    }


class _Internal:
    """A context value only the module's own code can set: a context sent over RPC is JSON, which
    cannot carry this object, so a flag set with it cannot be forged by a client."""

    __slots__ = ()

    def __repr__(self):
        return "<billing internal>"


INTERNAL = _Internal()


def internal(records, flag):
    """``records`` with the module's own ``flag`` in their context (checked by ``is_internal``)."""
    return records.with_context(**{flag: INTERNAL})


def is_internal(env, flag):
    """Whether the module's own code set ``flag`` (never true for a flag sent by a client)."""
    return env.context.get(flag) is INTERNAL


# Test-only (tools/stress.py --crash): the path of a control file naming the point where a worker
# stops (``<point> [<nth hit>]``), so that the test can kill it with kill -9 before the operation
# commits. Unset in production: crash_point then costs one comparison.
TEST_DELAY_FILE = os.environ.get("BILLING_TEST_DELAY_FILE")
_test_delay_hits = {}


def crash_point(point):
    """A crash test's stop inside an operation, before its commit (no-op unless BILLING_TEST_DELAY_FILE)."""
    if TEST_DELAY_FILE:
        _crash_point(point)


def _crash_point(point):
    try:
        with open(TEST_DELAY_FILE, encoding="utf-8") as control:
            wanted = control.read().split()
        stamp = os.stat(TEST_DELAY_FILE).st_mtime_ns
    except OSError:
        return
    if not wanted or wanted[0] != point:
        return
    hits = _test_delay_hits[point, stamp] = _test_delay_hits.get((point, stamp), 0) + 1
    if hits != (int(wanted[1]) if len(wanted) > 1 else 1):
        return
    with open(f"{TEST_DELAY_FILE}.pid", "w", encoding="utf-8") as marker:
        marker.write(f"{os.getpid()} {point}")
    time.sleep(120)  # the test kills this worker here
