"""docs/rules.md §7 Accounting as a stateful property-based test.

A hypothesis ``RuleBasedStateMachine`` plays random sequences of every operation of docs/rules.md §2 through
the public methods of §6 (credits, charges, reversals, invoices, payments, postdated payments on a
frozen clock that moves day by day, credit on file, Cancel/refund items, refunds, refund
cancellations, settlement, a second currency). It keeps its own model of the client's books, written
from docs/rules.md alone: the documents it made and their open amounts, in cents. From that model it predicts
which calls must be refused (then checks the exception and that nothing was written) and, after
every step, checks the invariants of §7 against the database.

Each example runs in a savepoint of the test's transaction, rolled back at its end. ``make test``
runs a few examples with a fixed seed (TestPropertyAccounting); ``make test-deep`` runs many more
with a random seed, logged so that ``BILLING_SEED=<seed> make test-deep`` replays it
(TestPropertyAccountingDeep, tag billing_deep)."""
import logging
import os
import random
import sys
import time
from collections import defaultdict
from datetime import datetime
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import seed as hypothesis_seed
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import initialize
from hypothesis.stateful import invariant
from hypothesis.stateful import precondition
from hypothesis.stateful import rule
from hypothesis.stateful import run_state_machine_as_test

from odoo import Command
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import float_round

from .test_refunds import TZ
from .test_refunds import RefundCase

_logger = logging.getLogger(__name__)

TAX_SETS = ("none", "tax_15", "tax_15_included", "gst_qst")
START = datetime(2026, 3, 2, 12, 0)  # noon, company time zone: before the settlement cut-off
FX_FACTOR = 2  # the second currency's rate is 0.5: one unit of it is worth 2 of the company's


# The wall clock, for the figures logged: freezegun replaces the module attributes that are clock
# functions while the test's clock is frozen, not the items of a tuple.
WALL_CLOCK = (time.monotonic,)


def cents(amount):
    return round(amount * 100)


def money(amount_cents):
    return amount_cents / 100.0


class BillingBooks(RuleBasedStateMachine):
    """The client's books as docs/rules.md describes them, and the rules that change them."""

    case = None  # the running TransactionCase (set by run())
    stats = None  # {"examples": n, "steps": n}

    def __init__(self):
        super().__init__()
        case = self.case
        self.env = case.env
        self.stats["examples"] += 1
        if self.stats["examples"] % 10 == 0:
            _logger.info("Property test: %s examples, %s steps so far", self.stats["examples"], self.stats["steps"])
        self.savepoint = self.env.cr.savepoint()
        self.savepoint.__enter__()
        self.now = case.local(START)
        self.clock = case.clock
        self.clock.move_to(self.now)
        self.env.invalidate_all()
        self.day = 0
        # ---- the model (amounts in cents; company currency unless said) ----
        self.balance = 0
        self.tax = defaultdict(int)  # tax id -> expected sales tax (credit - debit), company cents
        self.move_tax = {}  # move id -> {tax id: tax amount in the move's currency, positive}
        self.credits = []  # R1 credits: {id, total, taxes, reversed, item}
        self.invoices = []  # invoices and charges: {id, fx, total, due, scheduled, paid, r6_refunded, lines}
        self.payments = []  # customer payments: {id, fx, amount, refunded, item, state, date, invoice}
        self.refunds = []  # {id, fx, amount, company, source, invoice, state, day, card, consumed}
        self.items = {}  # open credit items: receivable line id -> {date, residual}
        self.provider_refunds = 0

    def teardown(self):
        # hypothesis calls teardown in a finally clause: the exception that ends the example, if any.
        failure = sys.exc_info()[1]
        if failure is not None and "first_failure" not in self.stats:
            self.stats["first_failure"] = (self.stats["examples"], self.stats["steps"], repr(failure)[:300])
            _logger.info("Property test: first failure at example %s, step %s: %s", *self.stats["first_failure"])
        self.savepoint.close(rollback=True)
        self.env.invalidate_all()

    # ---------------------------------------------------------------------------------------------
    # helpers
    # ---------------------------------------------------------------------------------------------

    @property
    def client(self):
        return self.case.client

    @property
    def today(self):
        return (START + timedelta(days=self.day)).date()

    def step(self, name=None):
        self.stats["steps"] += 1
        self.last_rule = name or "call"
        if name:
            self.stats["calls"][name] += 1

    def taxes(self, key):
        return self.case.tax_sets[key]

    def fx_currency(self, fx):
        return self.case.fx if fx else self.case.currency

    def engine(self, price_unit, quantity, taxes, currency, special_mode=False, is_refund=False, product=None):
        """Odoo's own tax computation of one line: (total excluded, {tax id: amount}, total
        included), in ``currency``, rounded as an invoice rounds its lines."""
        AccountTax = self.env["account.tax"]
        base_line = AccountTax._prepare_base_line_for_taxes_computation(
            None, price_unit=price_unit, quantity=quantity, tax_ids=taxes, product_id=product,
            currency_id=currency, special_mode=special_mode, is_refund=is_refund,
            rate=self.case.fx_rate if currency == self.case.fx else 1.0)
        AccountTax._add_tax_details_in_base_lines([base_line], self.case.company)
        AccountTax._round_base_lines_tax_details([base_line], self.case.company)
        details = base_line["tax_details"]
        per_tax = defaultdict(int)
        for data in details["taxes_data"]:
            per_tax[data["tax"].id] += cents(data["tax_amount_currency"])
        untaxed = cents(details["total_excluded_currency"] + details["delta_total_excluded_currency"])
        return untaxed, dict(per_tax), untaxed + sum(per_tax.values())

    def to_company(self, amount, fx):
        return amount * FX_FACTOR if fx else amount

    def receivable_line(self, move):
        lines = move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        self.case.assertEqual(len(lines), 1, move.display_name)
        return lines

    def add_item(self, line, residual, date=None):
        if residual > 0:
            self.items[line.id] = {"date": date or self.today, "residual": residual}

    def open_credit(self):
        return sum(item["residual"] for item in self.items.values())

    def consume(self, amount, first=()):
        """Reconcile ``amount`` (company cents) with the open credit items, ``first`` then oldest
        first (docs/rules.md R3.4, R7.5). Returns [(line id, amount)]."""
        taken = []
        order = [line_id for line_id in first if line_id in self.items]
        order += sorted((line_id for line_id in self.items if line_id not in order),
                        key=lambda line_id: (self.items[line_id]["date"], line_id))
        for line_id in order:
            if amount <= 0:
                break
            part = min(amount, self.items[line_id]["residual"])
            if part <= 0:
                continue
            self.items[line_id]["residual"] -= part
            amount -= part
            taken.append((line_id, part))
        self.items = {key: item for key, item in self.items.items() if item["residual"] > 0}
        return taken

    def give_back(self, taken, dates):
        for line_id, part in taken:
            item = self.items.setdefault(line_id, {"date": dates[line_id], "residual": 0})
            item["residual"] += part

    def snapshot(self):
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("SELECT count(*) FROM account_move")
        moves = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM account_payment")
        payments = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM payment_transaction")
        transactions = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM account_partial_reconcile")
        partials = cr.fetchone()[0]
        cr.execute("SELECT count(*), coalesce(sum(balance), 0), coalesce(sum(amount_residual), 0) "
                   "FROM account_move_line WHERE parent_state = 'posted'")
        lines = cr.fetchone()
        cr.execute("SELECT string_agg(id || ':' || coalesce(billing_refund_state, '') || state, ',' ORDER BY id) "
                   "FROM account_payment")
        states = cr.fetchone()[0]
        return moves, payments, transactions, partials, lines, states, self.db_balance()

    def db_balance(self):
        self.env.cr.execute("""
            SELECT coalesce(sum(line.amount_residual), 0)
              FROM account_move_line line
              JOIN account_account account ON account.id = line.account_id
             WHERE line.partner_id = %s AND line.company_id = %s AND line.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
        """, [self.client.id, self.case.company.id])
        return cents(self.env.cr.fetchone()[0])

    def call(self, refusal, func, *args, **kwargs):
        """Run ``func``; when the model says it must be refused (``refusal`` is the reason), check it
        is refused with a UserError / ValidationError and wrote nothing. Returns func's result or None."""
        self.step()
        name = func.__name__
        if not refusal:
            self.stats["calls"][f"{name} done"] += 1
            return func(*args, **kwargs)
        self.stats["calls"][f"{name} refused: {refusal}"] += 1
        before = self.snapshot()
        try:
            result = func(*args, **kwargs)
        except (UserError, ValidationError):
            self.env.invalidate_all()
            self.case.assertEqual(self.snapshot(), before, f"a refused call wrote something ({refusal})")
            return None
        raise AssertionError(f"{func.__qualname__}{args} {kwargs} should be refused ({refusal}) but returned "
                             f"{result!r}")

    def record_tax(self, move_id, per_tax, sign, fx):
        """``per_tax``: {tax id: cents in the move's currency}; ``sign`` 1 for an invoice (tax owed),
        -1 for a credit note."""
        self.move_tax[move_id] = {tax_id: sign * amount for tax_id, amount in per_tax.items() if amount}
        for tax_id, amount in per_tax.items():
            self.tax[tax_id] += sign * self.to_company(amount, fx)

    @initialize(lines=st.lists(st.tuples(st.integers(100, 20000), st.sampled_from([100, 200, 150]),
                                         st.sampled_from(TAX_SETS)), min_size=1, max_size=3),
                credit=st.integers(100, 30000), tax_key=st.sampled_from(TAX_SETS), included=st.booleans(),
                share=st.sampled_from([0, 50, 100]))
    def opening_books(self, lines, credit, tax_key, included, share):
        """Each example starts with an invoice, partly paid, and a credit."""
        self.create_invoice(lines, False)
        if share:
            self.make_payment(0, share, "bank", 0, False, 0)
        self.create_credit(credit, tax_key, included)

    # ---------------------------------------------------------------------------------------------
    # R1 / R2: credits and charges
    # ---------------------------------------------------------------------------------------------

    def manual_amounts(self, amount, tax_key, included, operation):
        taxes = self.taxes(tax_key)
        if not taxes:
            return amount, {}, amount
        mode = "total_included" if included else "total_excluded"
        untaxed, per_tax, total = self.engine(
            money(amount), 1.0, taxes, self.case.currency, special_mode=mode, is_refund=operation == "credit",
            product=self.case.credit_product)
        return untaxed, per_tax, total

    @rule(amount=st.one_of(st.integers(1, 60000), st.sampled_from([1, 7, 100, 1154, 11500, 0, -500])),
          tax_key=st.sampled_from(TAX_SETS), included=st.booleans())
    def create_credit(self, amount, tax_key, included):
        taxes = self.taxes(tax_key)
        refusal = "amount must be > 0" if amount <= 0 else None
        move_id = self.call(refusal, self.client.billing_create_credit, money(amount), "Property credit",
                            taxes_included=included, tax_ids=taxes.ids)
        if refusal:
            return
        move = self.env["account.move"].browse(move_id)
        untaxed, per_tax, total = self.manual_amounts(amount, tax_key, included, "credit")
        # R1.2 / R1.3: the checkbox decides; one posted billing credit note, nothing reconciled.
        self.case.assertRecordValues(move, [{"move_type": "out_refund", "state": "posted",
                                             "amount_total": money(total), "amount_untaxed": money(untaxed),
                                             "billing_operation": "credit"}])
        self.balance -= total
        self.record_tax(move.id, per_tax, -1, False)
        line = self.receivable_line(move)
        self.add_item(line, total)
        self.credits.append({"id": move.id, "total": total, "tax_key": tax_key, "reversed": 0,
                             "line": line.id, "date": self.today})

    @rule(amount=st.one_of(st.integers(1, 60000), st.sampled_from([1, 100, 11500, 0])),
          tax_key=st.sampled_from(TAX_SETS), included=st.booleans())
    def create_charge(self, amount, tax_key, included):
        taxes = self.taxes(tax_key)
        refusal = "amount must be > 0" if amount <= 0 else None
        move_id = self.call(refusal, self.client.billing_create_charge, money(amount), "Property charge",
                            taxes_included=included, tax_ids=taxes.ids)
        if refusal:
            return
        move = self.env["account.move"].browse(move_id)
        untaxed, per_tax, total = self.manual_amounts(amount, tax_key, included, "charge")
        self.case.assertRecordValues(move, [{"move_type": "out_invoice", "state": "posted",
                                             "amount_total": money(total), "amount_untaxed": money(untaxed),
                                             "billing_operation": "charge"}])
        self.add_charge(move, total, per_tax)

    def add_charge(self, move, total, per_tax, due=None):
        self.balance += total
        self.record_tax(move.id, per_tax, 1, False)
        self.invoices.append({"id": move.id, "fx": False, "total": total, "due": total if due is None else due,
                              "scheduled": 0, "paid": 0, "r6_refunded": 0, "lines": [], "charge": True})

    def reversible(self, credit):
        """R2.4: at most the open residual, and never more than the credit's total in all."""
        item = self.items.get(credit["line"])
        residual = item["residual"] if item else 0
        return max(0, min(residual, credit["total"] - credit["reversed"]))

    @precondition(lambda self: self.credits)
    @rule(index=st.integers(0, 50), mode=st.sampled_from(["prefill", "prefill", "part", "over"]),
          delta=st.integers(1, 5000))
    def reverse_credit(self, index, mode, delta):
        """R2.4 Reverse an erroneous credit: the prefill (open residual, taxes included, the credit's
        taxes) reverses it exactly; less reverses part of it; more is refused."""
        credit = self.credits[index % len(self.credits)]
        left = self.reversible(credit)
        amount = {"prefill": left, "part": left - delta, "over": left + delta}[mode]
        refusal = None
        if left <= 0:
            refusal = "nothing left to reverse"
        elif amount <= 0:
            return
        elif amount > left:
            refusal = "more than the open residual"
        taxes = self.taxes(credit["tax_key"])
        if mode == "prefill":
            # The Reverse an erroneous credit button: Create an invoice prefilled by the module.
            move_id = self.call(refusal, self.reverse_with_button, credit["id"])
        else:
            move_id = self.call(refusal, self.client.billing_create_charge, money(amount), "Property reversal",
                                taxes_included=True, tax_ids=taxes.ids, reversed_credit_id=credit["id"])
        if refusal:
            return
        move = self.env["account.move"].browse(move_id)
        _untaxed, per_tax, total = self.manual_amounts(amount, credit["tax_key"], True, "charge")
        self.case.assertEqual(total, amount)
        self.case.assertRecordValues(move, [{"amount_total": money(amount),
                                             "billing_reversed_credit_id": credit["id"]}])
        # R2.2: reconciled with the credit for the smaller residual.
        item = self.items[credit["line"]]
        part = min(item["residual"], total)
        item["residual"] -= part
        if not item["residual"]:
            del self.items[credit["line"]]
        credit["reversed"] += total
        self.add_charge(move, total, per_tax, due=total - part)

    def reverse_with_button(self, credit_id):
        action = self.env["account.move"].browse(credit_id).action_billing_reverse_credit()
        wizard = self.env[action["res_model"]].with_context(**action["context"]).create(
            {"note": "Property reversal"})
        wizard.action_confirm()
        return self.env["account.move"].search([("billing_reversed_credit_id", "=", credit_id)], order="id desc",
                                               limit=1).id

    # ---------------------------------------------------------------------------------------------
    # invoices (Odoo's own, several lines and quantities, two currencies)
    # ---------------------------------------------------------------------------------------------

    @rule(lines=st.lists(st.tuples(st.integers(1, 30000), st.sampled_from([100, 200, 300, 50, 150, 1000, 125]),
                                   st.sampled_from(TAX_SETS)), min_size=1, max_size=4),
          fx=st.sampled_from([False, False, False, True]))
    def create_invoice(self, lines, fx):
        self.step("create_invoice")
        currency = self.fx_currency(fx)
        move = self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": self.client.id,
            "currency_id": currency.id,
            "invoice_date": self.today,
            "invoice_line_ids": [Command.create({
                "product_id": self.case.product_a.id,
                "quantity": quantity / 100.0,
                "price_unit": money(price),
                "tax_ids": [Command.set(self.taxes(tax_key).ids)],
            }) for price, quantity, tax_key in lines],
        })
        move.action_post()
        model_lines = []
        total = 0
        per_tax = defaultdict(int)
        for line, (price, quantity, tax_key) in zip(move.invoice_line_ids.sorted("sequence"), lines, strict=True):
            _untaxed, line_tax, line_total = self.engine(money(price), quantity / 100.0, self.taxes(tax_key), currency)
            total += line_total
            for tax_id, amount in line_tax.items():
                per_tax[tax_id] += amount
            model_lines.append({"id": line.id, "price": price, "quantity": quantity, "cancelled": 0,
                                "tax_key": tax_key})
        self.case.assertEqual(cents(move.amount_total), total)
        self.balance += self.to_company(total, fx)
        self.record_tax(move.id, per_tax, 1, fx)
        self.invoices.append({"id": move.id, "fx": fx, "total": total, "due": total, "scheduled": 0, "paid": 0,
                              "r6_refunded": 0, "lines": model_lines, "charge": False})

    # ---------------------------------------------------------------------------------------------
    # R7 Make a payment
    # ---------------------------------------------------------------------------------------------

    @precondition(lambda self: self.invoices)
    @rule(index=st.integers(0, 50), share=st.sampled_from([100, 100, 100, 50, 33, 10, 0, 150]),
          journal=st.sampled_from(["bank", "cash"]), postdated=st.sampled_from([0, 0, 0, 0, 1, 2, 3, -1]),
          use_credit=st.sampled_from([False, False, False, True]), extra=st.integers(0, 300))
    def make_payment(self, index, share, journal, postdated, use_credit, extra):
        invoice = self.invoices[index % len(self.invoices)]
        if invoice["fx"] and (use_credit or postdated):
            return  # credit on file and schedules in the company currency only (see the module docstring)
        if use_credit and invoice["scheduled"]:
            return
        cap = max(0, invoice["due"] - invoice["scheduled"])
        to_apply = min(cap, self.open_credit()) if use_credit else 0
        rest = cap - to_apply
        amount = rest * share // 100 + (extra if share > 100 else 0)
        refusal = self.payment_refusal(postdated, use_credit, amount, rest, to_apply)
        if amount < 0:
            return
        date = self.today + timedelta(days=postdated) if postdated else None
        move = self.env["account.move"].browse(invoice["id"])
        journal = self.case.bank_journal if journal == "bank" else self.case.cash_journal
        result = self.call(refusal, move.billing_make_payment, money(amount), journal.id,
                           payer_name="Payer", payer_reference="Cheque 12",
                           postdated_date=date and date.isoformat(), use_credit=use_credit)
        if refusal:
            return
        # R7.5: the open credit items, oldest first, up to the amount due.
        self.case.assertEqual(cents(result["credit_applied"]), to_apply)
        if to_apply:
            self.consume(to_apply)
            invoice["due"] -= to_apply
        if not amount:
            self.case.assertFalse(result["payment_id"])
            return
        payment = self.env["account.payment"].browse(result["payment_id"])
        self.case.assertEqual(cents(payment.amount), amount)
        record = {"id": payment.id, "fx": invoice["fx"], "amount": amount, "refunded": 0, "line": None,
                  "invoice": invoice["id"], "card": False, "state": "scheduled" if date else "posted", "date": date}
        self.payments.append(record)
        if date:
            self.case.assertEqual(payment.state, "draft")
            invoice["scheduled"] += amount
        else:
            self.apply_payment(record, invoice)

    @staticmethod
    def payment_refusal(postdated, use_credit, amount, rest, to_apply):
        """R7.1 / R7.4 / R7.6: why Make a payment refuses these inputs, or None."""
        if postdated < 0:
            return "a postdated date must be after today"
        if postdated and use_credit:
            return "credit on file and postdated cannot be combined"
        if amount > rest:
            return "more than the amount due less the scheduled payments"
        if amount <= 0 and not use_credit:
            return "amount must be > 0"
        if amount <= 0 and not to_apply:
            return "no open credit to use and no amount"
        return None

    def apply_payment(self, record, invoice):
        """A posted payment is reconciled with its invoice for at most the amount due; the rest is
        open credit (an overpayment, possible when a schedule outlived a cancellation)."""
        amount = record["amount"]
        part = min(amount, invoice["due"])
        invoice["due"] -= part
        invoice["paid"] += part
        record["applied"] = part
        self.balance -= self.to_company(amount, record["fx"])
        payment = self.env["account.payment"].browse(record["id"])
        line = payment.move_id.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        record["line"] = line.id
        record["date"] = payment.date
        if amount > part:
            self.add_item(line, self.to_company(amount - part, record["fx"]), payment.date)

    @precondition(lambda self: any(p["state"] == "scheduled" for p in self.payments))
    @rule(index=st.integers(0, 50))
    def cancel_scheduled(self, index):
        scheduled = [p for p in self.payments if p["state"] == "scheduled"]
        record = scheduled[index % len(scheduled)]
        payment = self.env["account.payment"].browse(record["id"])
        self.call(None, payment.billing_cancel_scheduled, note="Cheque returned")
        record["state"] = "cancelled"
        self.invoice(record["invoice"])["scheduled"] -= record["amount"]

    def invoice(self, move_id):
        return next(invoice for invoice in self.invoices if invoice["id"] == move_id)

    @precondition(lambda self: any(p["state"] == "scheduled" for p in self.payments)
                  or any(r["state"] == "pending" for r in self.refunds))
    @rule()
    def next_day(self):
        """The clock moves to the next day (noon); the scheduled action applies the postdated payments
        whose date has come (R7.4)."""
        self.step("next_day")
        self.day += 1
        self.now = self.case.local(START + timedelta(days=self.day))
        self.clock.move_to(self.now)
        due = [p for p in self.payments if p["state"] == "scheduled" and p["date"] <= self.today]
        Payment = self.env["account.payment"]
        others = Payment.search_count([("billing_postdated", "=", True), ("state", "=", "draft"),
                                       ("date", "<=", self.today), ("partner_id", "!=", self.client.id)])
        self.case.assertEqual(Payment.billing_apply_postdated(), len(due) + others)
        for record in sorted(due, key=lambda p: (p["date"], p["id"])):
            record["state"] = "posted"
            invoice = self.invoice(record["invoice"])
            invoice["scheduled"] -= record["amount"]
            self.apply_payment(record, invoice)

    @precondition(lambda self: any(not i["fx"] and i["due"] > 0 and not i["scheduled"] for i in self.invoices))
    @rule(index=st.integers(0, 50))
    def card_payment(self, index):
        """The client pays an invoice's amount due online with the demo card provider (Odoo's flow)."""
        self.step("card_payment")
        candidates = [i for i in self.invoices if not i["fx"] and i["due"] > 0 and not i["scheduled"]]
        invoice = candidates[index % len(candidates)]
        self.case.card_number += 1
        tx = self.env["payment.transaction"].sudo().create({
            "provider_id": self.case.demo_provider.id,
            "payment_method_id": self.case.demo_method.id,
            "reference": f"PROP-{self.case.card_number}",
            "amount": money(invoice["due"]),
            "currency_id": self.case.currency.id,
            "partner_id": self.client.id,
            "operation": "online_direct",
            "invoice_ids": [Command.set([invoice["id"]])],
        })
        tx._set_done()
        tx._post_process()
        record = {"id": tx.payment_id.id, "fx": False, "amount": invoice["due"], "refunded": 0, "line": None,
                  "invoice": invoice["id"], "card": True, "state": "posted", "date": self.today}
        self.payments.append(record)
        self.apply_payment(record, invoice)

    # ---------------------------------------------------------------------------------------------
    # R3 / R4 refunds, R5 cancel refund, settlement
    # ---------------------------------------------------------------------------------------------

    @rule(share=st.sampled_from([100, 50, 10, 0, 101, 200]), extra=st.integers(1, 500),
          journal=st.sampled_from(["bank", "cash"]))
    def refund_client(self, share, extra, journal):
        available = max(0, -self.balance)
        amount = available * share // 100 + (extra if share > 100 or not available else 0)
        refusal = None
        if self.balance >= 0:
            refusal = "the client is not in credit"
        elif amount > available:
            refusal = "more than the available credit"
        elif amount <= 0:
            refusal = "amount must be > 0"
        journal = self.case.bank_journal if journal == "bank" else self.case.cash_journal
        refund_id = self.call(refusal, self.client.billing_refund, money(amount), journal.id, "Property refund")
        if refusal:
            return
        self.add_refund(refund_id, amount, False, None, None)

    def add_refund(self, refund_id, amount, fx, source, invoice, first=()):
        company_amount = self.to_company(amount, fx)
        dates = {line_id: item["date"] for line_id, item in self.items.items()}
        taken = self.consume(company_amount, first=first)
        self.balance += company_amount
        refund = self.env["account.payment"].browse(refund_id)
        self.case.assertRecordValues(refund, [{"payment_type": "outbound", "billing_refund_state": "pending",
                                               "amount": money(amount)}])
        self.refunds.append({"id": refund_id, "fx": fx, "amount": amount, "company": company_amount,
                             "source": source, "invoice": invoice, "state": "pending", "day": self.day,
                             "card": bool(source and source["card"]), "taken": taken, "dates": dates})
        if source:
            source["refunded"] += amount
        if invoice:
            invoice["r6_refunded"] += amount

    @precondition(lambda self: any(p["state"] == "posted" for p in self.payments))
    @rule(index=st.integers(0, 50), share=st.sampled_from([100, 100, 50, 10, 101, 0]), extra=st.integers(1, 500))
    def refund_payment(self, index, share, extra):
        """R4: at most the payment's amount less its refunds that are not cancelled."""
        posted = [p for p in self.payments if p["state"] == "posted"]
        record = posted[index % len(posted)]
        left = record["amount"] - record["refunded"]
        amount = left * share // 100 + (extra if share > 100 or not left else 0)
        refusal = None
        if amount <= 0:
            refusal = "amount must be > 0"
        elif amount > left:
            refusal = "more than the payment's amount less its refunds"
        payment = self.env["account.payment"].browse(record["id"])
        refund_id = self.call(refusal, payment.billing_refund, money(amount), "Property payment refund")
        if refusal:
            return
        self.add_refund(refund_id, amount, record["fx"], record, None, first=[record["line"]])

    @precondition(lambda self: self.refunds)
    @rule(index=st.integers(0, 50))
    def cancel_refund(self, index):
        """R5: only while pending, the day it was made (the clock stays at noon, before the cut-off)."""
        refund = self.refunds[index % len(self.refunds)]
        refusal = None
        if refund["state"] != "pending":
            refusal = f"the refund is {refund['state']}"
        elif refund["day"] != self.day:
            refusal = "the refund's day has passed its settlement cut-off"
        payment = self.env["account.payment"].browse(refund["id"])
        self.call(refusal, payment.billing_cancel_refund, note="Client changed their mind")
        if refusal:
            return
        refund["state"] = "cancelled"
        self.give_back(refund["taken"], refund["dates"])
        self.balance -= refund["company"]
        if refund["source"]:
            refund["source"]["refunded"] -= refund["amount"]
        if refund["invoice"]:
            refund["invoice"]["r6_refunded"] -= refund["amount"]

    @precondition(lambda self: any(r["state"] == "pending" for r in self.refunds))
    @rule()
    def settle(self):
        """R5.4 settlement run: every pending refund is settled; card refunds go to the provider then."""
        self.step("settle")
        pending = [r for r in self.refunds if r["state"] == "pending"]
        Payment = self.env["account.payment"]
        others = Payment.search_count([("billing_refund_state", "=", "pending"),
                                       ("id", "not in", [r["id"] for r in pending])])
        self.case.assertEqual(Payment.billing_settle_refunds(), len(pending) + others)
        for refund in pending:
            refund["state"] = "settled"
            self.provider_refunds += refund["card"]

    # ---------------------------------------------------------------------------------------------
    # R6 Cancel/refund items
    # ---------------------------------------------------------------------------------------------

    @precondition(lambda self: any(i["lines"] for i in self.invoices))
    @rule(index=st.integers(0, 50),
          picks=st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["all", "all", "part", "over", "zero"]),
                                   st.integers(1, 1000)), min_size=1, max_size=3, unique_by=lambda pick: pick[0]),
          penalty=st.sampled_from(["none", "amount", "percent"]), penalty_value=st.integers(0, 30000),
          percent=st.sampled_from([0, 10, 25, 50, 100, 120]),
          refund=st.sampled_from(["none", "none", "payment", "journal"]), refund_share=st.sampled_from([100, 50, 101]))
    def cancel_items(self, index, picks, penalty, penalty_value, percent, refund, refund_share):
        with_lines = [i for i in self.invoices if i["lines"]]
        invoice = with_lines[index % len(with_lines)]
        currency = self.fx_currency(invoice["fx"])
        selection, refusals = self.cancel_selection(invoice, picks)
        if not selection:
            return
        base, reversed_tax = self.cancel_base(selection, currency)
        penalty_amount = self.cancel_penalty(penalty, penalty_value, percent, base, currency, refusals)
        credit = base - penalty_amount
        planned = self.cancel_refund_plan(invoice, index, refund, refund_share, refusals)
        if planned is None:
            return
        refund_amount, source, kwargs = planned
        applied = min(invoice["due"], max(credit, 0))
        if not refusals and kwargs.get("refund_journal_id"):
            # R3 after the credit note: the client must be in credit for the amount.
            balance_after = self.balance - self.to_company(credit, invoice["fx"])
            if balance_after >= 0 or refund_amount > -balance_after:
                refusals.append("more than the available credit")
        if not refusals and invoice["fx"] and credit > applied:
            return  # no open credit in the second currency (see the module docstring)
        lines = [[line["id"], quantity / 100.0] for line, quantity in selection]
        move = self.env["account.move"].browse(invoice["id"])
        result = self.call(
            "; ".join(refusals), move.billing_cancel_items, lines, penalty_type=penalty,
            penalty_value=percent if penalty == "percent" else money(penalty_amount),
            refund_amount=money(refund_amount), note="Property cancellation", **kwargs)
        if refusals:
            return
        credit_note = self.env["account.move"].browse(result["credit_note_id"])
        self.case.assertEqual(cents(credit_note.amount_total), credit)
        for line, quantity in selection:
            line["cancelled"] += quantity
        self.record_cancel_taxes(credit_note, reversed_tax, penalty_amount, currency, invoice["fx"])
        self.balance -= self.to_company(credit, invoice["fx"])
        invoice["due"] -= applied
        line = self.receivable_line(credit_note)
        self.add_item(line, self.to_company(credit - applied, invoice["fx"]))
        if refund_amount:
            self.case.assertTrue(result["refund_payment_id"])
            self.add_refund(result["refund_payment_id"], refund_amount, invoice["fx"], source, invoice,
                            first=[source["line"]] if source else ())
        else:
            self.case.assertFalse(result["refund_payment_id"])

    @staticmethod
    def cancel_selection(invoice, picks):
        """R6.1: the (line, quantity) picked, and the refusals they call for."""
        refusals = []
        selection = []
        for line_index, how, qty in picks:
            if line_index >= len(invoice["lines"]):
                continue
            line = invoice["lines"][line_index]
            left = line["quantity"] - line["cancelled"]
            quantity = {"all": left, "part": min(left, qty % max(left, 1) + 1) if left else 0,
                        "over": left + qty, "zero": 0}[how]
            if left <= 0:
                refusals.append("the line is already cancelled")
            elif quantity <= 0:
                refusals.append("the quantity must be > 0")
            elif quantity > left:
                refusals.append("more than the quantity left")
            selection.append((line, quantity))
        return selection, refusals

    def cancel_base(self, selection, currency):
        """R6.2: the base (taxes included) of what is cancelled, and the taxes it reverses."""
        base = 0
        reversed_tax = defaultdict(int)
        for line, quantity in selection:
            if quantity > 0:
                _untaxed, line_tax, line_total = self.engine(
                    money(line["price"]), quantity / 100.0, self.taxes(line["tax_key"]), currency)
                base += line_total
                for tax_id, amount in line_tax.items():
                    reversed_tax[tax_id] += amount
        return base, reversed_tax

    @staticmethod
    def cancel_penalty(penalty, penalty_value, percent, base, currency, refusals):
        """R6.2: the penalty in cents (an amount or a percentage of the base), refusals appended."""
        penalty_amount = 0
        if penalty == "amount":
            penalty_amount = penalty_value
        elif penalty == "percent":
            penalty_amount = cents(float_round(money(base) * percent / 100.0, precision_rounding=currency.rounding))
            if percent > 100:
                refusals.append("a percentage above 100")
        if penalty_amount > base:
            refusals.append("the penalty is larger than what is cancelled")
        return penalty_amount

    def cancel_refund_plan(self, invoice, index, refund, refund_share, refusals):
        """R6.4: (refund amount, source payment record, keyword arguments), refusals appended; None when
        the rule has nothing to run (no payment to refund from, a journal refund in a second currency).
        The refund is at most what was paid on the invoice less what it already refunded."""
        if refund == "none":
            return 0, None, {}
        refund_left = invoice["paid"] - invoice["r6_refunded"]
        source = None
        source_left = 0
        if refund == "payment":
            paying = [p for p in self.payments if p["invoice"] == invoice["id"] and p["state"] == "posted"
                      and p.get("applied")]
            if not paying:
                return None
            source = paying[index % len(paying)]
            source_left = source["amount"] - source["refunded"]
            cap = min(refund_left, source_left)
            kwargs = {"refund_payment_id": source["id"]}
        else:
            if invoice["fx"]:
                return None
            cap = refund_left
            kwargs = {"refund_journal_id": self.case.bank_journal.id}
        refund_amount = cap * refund_share // 100 if refund_share <= 100 else max(refund_left, source_left) + 1
        if refund_amount <= 0:
            return 0, None, {}
        if refund_amount > refund_left:
            refusals.append("more than what was paid on the invoice")
        elif source and refund_amount > source_left:
            refusals.append("more than the payment's amount less its refunds")
        return refund_amount, source, kwargs

    def record_cancel_taxes(self, credit_note, reversed_tax, penalty_amount, currency, fx):
        """The taxes the credit note books: those of the cancelled items less the penalty's (R6.2)."""
        fee_tax = {}
        if penalty_amount:
            _untaxed, fee_tax, _total = self.engine(
                money(penalty_amount), 1.0, self.case.penalty_taxes, currency, special_mode="total_included",
                product=self.case.penalty_product)
        net = defaultdict(int)
        for tax_id, amount in reversed_tax.items():
            net[tax_id] += amount
        for tax_id, amount in fee_tax.items():
            net[tax_id] -= amount
        self.record_tax(credit_note.id, dict(net), -1, fx)

    # ---------------------------------------------------------------------------------------------
    # invariants (docs/rules.md §7 Accounting)
    # ---------------------------------------------------------------------------------------------

    @invariant()
    def books_agree(self):
        started = WALL_CLOCK[0]()
        if getattr(self, "rule_end", None):
            self.stats["rule_time"][getattr(self, "last_rule", "?")] += started - self.rule_end
        try:
            self.check_books()
        finally:
            self.rule_end = WALL_CLOCK[0]()
            self.stats["invariant_time"] += self.rule_end - started

    def check_books(self):
        case = self.case
        env = self.env
        env.flush_all()
        env.invalidate_all()
        cr = env.cr
        client, company = self.client, case.company
        # Every journal entry of the client: posted ones balanced and on its receivable account.
        cr.execute("""
            SELECT move.id, move.state, sum(line.debit) - sum(line.credit), sum(line.balance),
                   bool_or(account.account_type = 'asset_receivable' AND line.account_id = %s)
              FROM account_move move
              JOIN account_move_line line ON line.move_id = move.id
              JOIN account_account account ON account.id = line.account_id
             WHERE move.commercial_partner_id = %s AND move.company_id = %s AND move.state = 'posted'
          GROUP BY move.id, move.state
        """, [case.receivable.id, client.id, company.id])
        for move_id, _state, debit_credit, balance, on_receivable in cr.fetchall():
            case.assertAlmostEqual(debit_credit, 0.0, places=6, msg=f"move {move_id} is not balanced")
            case.assertAlmostEqual(balance, 0.0, places=6, msg=f"move {move_id} is not balanced")
            case.assertTrue(on_receivable, f"move {move_id} is not on the client's receivable account")
        # Taxes of each document: per tax, what Odoo's tax engine gives for the model's amounts.
        cr.execute("""
            SELECT line.move_id, line.tax_line_id, sum(line.amount_currency), sum(line.balance)
              FROM account_move_line line
              JOIN account_move move ON move.id = line.move_id
             WHERE move.commercial_partner_id = %s AND move.company_id = %s AND move.state = 'posted'
               AND line.tax_line_id IS NOT NULL
          GROUP BY line.move_id, line.tax_line_id
        """, [client.id, company.id])
        got = defaultdict(dict)
        report = defaultdict(int)
        for move_id, tax_id, amount_currency, balance in cr.fetchall():
            if cents(amount_currency):
                got[move_id][tax_id] = -cents(amount_currency)
            report[tax_id] -= cents(balance)
        for move_id, expected in self.move_tax.items():
            case.assertEqual(got.get(move_id, {}), expected, f"taxes of move {move_id}")
        # The tax report's sales tax of the client's documents.
        case.assertEqual({k: v for k, v in report.items() if v}, {k: v for k, v in self.tax.items() if v},
                         "sales tax of the client's documents")
        # The balance, five ways, and the model's.
        client.invalidate_recordset()
        balance = cents(client.with_company(company).billing_balance)
        Timeline = env["account.billing.timeline"]
        domain = [("partner_id", "=", client.id), ("company_id", "=", company.id)]
        timeline = Timeline.search(domain, limit=1)
        [(timeline_sum,)] = Timeline._read_group(domain, aggregates=["amount:sum"])
        timeline_sum = cents(timeline_sum or 0.0)
        newest = cents(timeline.running_balance) if timeline else 0
        partner = client.with_company(company)
        ledger = cents(partner.credit - partner.debit)
        expected = {"model": self.balance, "billing_balance": balance, "timeline sum": timeline_sum,
                    "newest running balance": newest, "partner credit - debit": ledger,
                    "receivable residuals": self.db_balance()}
        case.assertEqual(set(expected.values()), {self.balance}, f"balances: {expected}")
        case.assertEqual(cents(client.with_company(company).billing_available_credit), max(0, -self.balance))
        # No payment refunded above its amount (refunds that are not cancelled).
        cr.execute("""
            SELECT source.id, source.amount, coalesce(sum(refund.amount), 0)
              FROM account_payment source
              JOIN account_payment refund ON refund.billing_source_payment_id = source.id
             WHERE refund.billing_refund_state != 'cancelled'
          GROUP BY source.id, source.amount
            HAVING coalesce(sum(refund.amount), 0) > source.amount + 0.001
        """)
        case.assertFalse(cr.fetchall(), "payments refunded above their amount")
        # No invoice line cancelled above its quantity, no invoice paid above its total.
        cr.execute("SELECT id FROM account_move_line WHERE billing_cancelled_qty > quantity + 0.0001")
        case.assertFalse(cr.fetchall(), "lines cancelled above their quantity")
        cr.execute("""
            SELECT id FROM account_move WHERE commercial_partner_id = %s AND move_type = 'out_invoice'
               AND (amount_residual < -0.001 OR amount_residual > amount_total + 0.001)
        """, [client.id])
        case.assertFalse(cr.fetchall(), "invoices paid above their total")
        # No refund sent twice to the provider; none sent before settlement.
        cr.execute("""
            SELECT count(*), count(DISTINCT payment_id) FROM payment_transaction
             WHERE operation = 'refund' AND partner_id = %s
        """, [client.id])
        sent, distinct = cr.fetchone()
        case.assertEqual((sent, distinct), (self.provider_refunds, self.provider_refunds), "provider refunds")
        cr.execute("""
            SELECT source.id FROM payment_transaction source
              JOIN payment_transaction refund ON refund.source_transaction_id = source.id
             WHERE refund.operation = 'refund'
          GROUP BY source.id, source.amount HAVING sum(-refund.amount) > source.amount + 0.001
        """)
        case.assertFalse(cr.fetchall(), "card payments refunded above their amount at the provider")
        # The model's open amounts: invoices, credits, payments' refunds, refund states.
        moves = env["account.move"].browse([invoice["id"] for invoice in self.invoices])
        case.assertEqual({move.id: cents(move.amount_residual) for move in moves},
                         {invoice["id"]: invoice["due"] for invoice in self.invoices}, "invoices' amount due")
        lines = env["account.move.line"].browse([credit["line"] for credit in self.credits])
        case.assertEqual({line.id: -cents(line.amount_residual) for line in lines},
                         {credit["line"]: self.items.get(credit["line"], {}).get("residual", 0)
                          for credit in self.credits}, "credits' open residual")
        payments = env["account.payment"].browse([refund["id"] for refund in self.refunds])
        case.assertEqual({payment.id: payment.billing_refund_state for payment in payments},
                         {refund["id"]: refund["state"] for refund in self.refunds}, "refund states")
        for record in self.invoices:
            for line in record["lines"]:
                case.assertAlmostEqual(env["account.move.line"].browse(line["id"]).billing_cancelled_qty,
                                       line["cancelled"] / 100.0, places=4)


class PropertyCase(RefundCase):
    """The company of the refund tests (time zone, demo card provider) with the four tax sets, a
    cancellation-fee product and a second currency at a rate of 0.5."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.billing_settlement_tz = TZ
        Tax = cls.env["account.tax"]
        cls.tax_15_included = Tax.create({
            "name": "Tax 15% included", "amount": 15.0, "type_tax_use": "sale", "company_id": cls.company.id,
            "price_include_override": "tax_included"})
        cls.tax_sets = {
            "none": Tax,
            "tax_15": cls.tax_15,
            "tax_15_included": cls.tax_15_included,
            "gst_qst": cls.tax_gst | cls.tax_qst,
        }
        cls.penalty_product = cls._create_product(
            name="Cancellation fee (property)", lst_price=0.0, taxes_id=[Command.set(cls.tax_15.ids)])
        cls.company.billing_penalty_product_id = cls.penalty_product
        cls.penalty_taxes = cls.tax_15
        cls.fx_rate = 0.5
        cls.fx = cls.setup_other_currency("CHF", rates=[("2016-01-01", cls.fx_rate)])
        cls.card_number = 0

    def run_machine(self, examples, steps, seed):
        stats = {"examples": 0, "steps": 0, "calls": defaultdict(int), "invariant_time": 0.0,
                 "rule_time": defaultdict(float)}
        machine = type("Books", (BillingBooks,), {"case": self, "stats": stats})
        factory = hypothesis_seed(seed)(machine)
        started = WALL_CLOCK[0]()
        # One frozen clock for the run (starting freezegun walks every module: once is enough), moved
        # by each example; hypothesis keeps the real clock. The transaction's timestamp (create_date)
        # follows the frozen clock, as Odoo's own TestCursor.now does: the settlement cut-off reads
        # the refund's create_date.
        freezer = freeze_time(self.local(START), ignore=["hypothesis"])
        self.clock = freezer.start()
        try:
            self.startPatcher(patch.object(self.env.cr, "now", lambda: datetime.now()))  # noqa: PLW0108
            run_state_machine_as_test(factory, settings=settings(
                max_examples=examples, stateful_step_count=steps, deadline=None, database=None,
                derandomize=False, print_blob=True, report_multiple_bugs=False,
                phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
                suppress_health_check=list(HealthCheck)))
        finally:
            freezer.stop()
            _logger.info("Property test (seed %s): %s examples, %s steps in %.1f s (invariants %.1f s)", seed,
                         stats["examples"], stats["steps"], WALL_CLOCK[0]() - started, stats["invariant_time"])
            _logger.info("Property test rule time: %s", dict(stats["rule_time"]))
            _logger.info("Property test calls: %s", ", ".join(f"{k}: {v}" for k, v in sorted(stats["calls"].items())))
        return stats


@tagged("post_install", "-at_install")
class TestPropertyAccounting(PropertyCase):
    """make test: a few examples with a fixed seed, well under a minute."""

    def test_random_operations_keep_the_books_right(self):
        stats = self.run_machine(examples=int(os.environ.get("BILLING_EXAMPLES") or 3), steps=15, seed=20260302)
        self.assertGreaterEqual(stats["steps"], 30)


@tagged("post_install", "-at_install", "-standard", "billing_deep")
class TestPropertyAccountingDeep(PropertyCase):
    """make test-deep: many more examples, a random seed (BILLING_SEED to replay one)."""

    def test_random_operations_keep_the_books_right_deep(self):
        seed = int(os.environ.get("BILLING_SEED") or random.SystemRandom().randrange(1, 10**9))
        examples = int(os.environ.get("BILLING_EXAMPLES") or 50)
        _logger.info("Property test deep run: seed %s (replay with BILLING_SEED=%s make test-deep)", seed, seed)
        stats = self.run_machine(examples=examples, steps=50, seed=seed)
        self.assertGreaterEqual(stats["steps"], 2000)
