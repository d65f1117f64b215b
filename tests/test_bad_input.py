"""docs/rules.md §6 and §7 "Bad input": every public method and every wizard, given what an RPC client or a
hurried user may send, refuses it with a clear message and writes nothing.

One table of cases (``_cases``) and one loop (``test_bad_input_matrix``). Each case runs in a
savepoint rolled back afterwards, so that a case that wrongly succeeds cannot spoil the next ones.
"""
import logging
import re
from collections import namedtuple
from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo import fields
from odoo.exceptions import AccessDenied
from odoo.exceptions import AccessError
from odoo.exceptions import MissingError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import BillingCommon

_logger = logging.getLogger(__name__)

CARD = "4111 1111 1111 1111"  # Luhn-valid test Visa number
HTML = "<script>alert(1)</script>"
NOTE = "Client asked at the front desk"
UNKNOWN_ID = 999999999
NAN = float("nan")
INF = float("inf")

# Words no message may show the user: rule numbers and a menu path that does not exist.
RULE_CODE = re.compile(r"\(R\d|\bR\d+(\.\d+)?\b|Operations >")
# Exceptions that are UserError subclasses in Odoo but are not "a clear message on bad input".
NOT_CLEAR = (AccessError, AccessDenied, MissingError)
# What a refusal must read like, reused across methods.
POSITIVE = r"greater than 0|positive|more than 0"
NUMBER = r"number"
DECIMALS = r"decimals"
NOTE_REQUIRED = r"note is required|enter a note|note"
CARD_WORDS = r"card number"
ONE = r"exactly one|only one|one (client|invoice|payment|refund)"
OTHER_COMPANY = r"another company|other company"
NOT_INVOICE = r"posted customer invoice"

NO_RESULT = object()


class Case(namedtuple("Case", "id call regex expect prepare result counted")):
    """``call()`` must raise ``expect`` with a message matching ``regex`` (or, with ``result``,
    return it) and write nothing; ``prepare()`` sets the stage first (inside the case's savepoint);
    ``counted`` are extra models (wizards) whose record count must not move either."""

    __slots__ = ()


def case(case_id, call, regex, expect=UserError, prepare=None, result=NO_RESULT, counted=()):
    return Case(case_id, call, regex, expect, prepare, result, counted)


class Call:
    """``Call(record).method(*args, **kwargs)``: the call, made only when the case runs."""

    def __init__(self, target):
        self._target = target

    def __getattr__(self, name):
        def bind(*args, **kwargs):
            return lambda: getattr(self._target, name)(*args, **kwargs)
        return bind


def confirm_wizard(env, model, context, vals):
    """The web client's way: create the wizard record (saved first), then its Confirm button."""
    return lambda: env[model].with_context(**context).create(vals).action_confirm()


@tagged("post_install", "-at_install")
class TestBadInput(BillingCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Move = env["account.move"]
        Payment = env["account.payment"]
        cls.today = fields.Date.context_today(Payment)
        # Start from a quiet day: what demo data left due or pending is applied / settled now.
        Payment.billing_apply_postdated()
        Payment.billing_settle_refunds()

        cls.penalty_product = cls._create_product(
            name="Cancellation fee (bad input)", lst_price=0.0, taxes_id=[Command.set(cls.tax_15.ids)])
        cls.company.billing_penalty_product_id = cls.penalty_product
        # The demo card provider: its inbound method line is an online provider's method.
        provider = env.ref("payment.payment_provider_demo").sudo().copy(
            {"company_id": cls.company.id, "name": "Demo card (bad input)"})
        provider.write({"state": "test", "journal_id": cls.bank_journal.id,
                        "payment_method_ids": [Command.set(env.ref("payment_demo.payment_method_demo").ids)]})
        cls.provider_method_line = cls.bank_journal.inbound_payment_method_line_ids.filtered(
            lambda line: line.payment_provider_id == provider)
        cls.cash_outbound_line = cls.cash_journal.outbound_payment_method_line_ids[:1]

        # A client in credit: balance -100.00.
        cls.creditor = env["res.partner"].create({"name": "Client in credit", "is_company": True})
        cls.credit_note = cls.init_invoice("out_refund", partner=cls.creditor, amounts=[100.0], taxes=[],
                                           invoice_date=cls.today, post=True)
        # A client with nothing: balance 0.
        cls.client_zero = env["res.partner"].create({"name": "Client at zero", "is_company": True})

        # A client owing: an invoice of two lines (2 x 50.00 and 1 x 200.00, + 15 %) = 345.00.
        cls.debtor = env["res.partner"].create({"name": "Client owing", "is_company": True})
        cls.invoice = Move.create({
            "move_type": "out_invoice", "partner_id": cls.debtor.id, "invoice_date": cls.today,
            "invoice_line_ids": [
                Command.create({"name": "Swimming", "quantity": 2.0, "price_unit": 50.0,
                                "tax_ids": [Command.set(cls.tax_15.ids)]}),
                Command.create({"name": "Day camp", "quantity": 1.0, "price_unit": 200.0,
                                "tax_ids": [Command.set(cls.tax_15.ids)]}),
            ],
        })
        cls.invoice.action_post()
        cls.swim_line, cls.camp_line = cls.invoice.invoice_line_ids.sorted("price_unit")
        # Paid 100.00 in cash with Odoo's Register Payment.
        cls.cash_payment = env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.invoice.ids,
        ).create({"journal_id": cls.cash_journal.id, "amount": 100.0})._create_payments()
        # Refunds of that payment: 10.00 settled, 5.00 cancelled, 30.00 pending -> 60.00 left.
        cls.settled_refund = Payment.browse(cls.cash_payment.billing_refund(10.0, "Settled refund"))
        Payment.billing_settle_refunds()
        cls.cancelled_refund = Payment.browse(cls.cash_payment.billing_refund(5.0, "Refund made by mistake"))
        cls.cancelled_refund.billing_cancel_refund()
        cls.pending_refund = Payment.browse(cls.cash_payment.billing_refund(30.0, "Course cancelled"))
        # A cheque postdated in 30 days: due 245.00, of which 195.00 may still be paid.
        cls.scheduled = Payment.browse(cls.invoice.billing_make_payment(
            50.0, cls.bank_journal.id, payer_name="M. Gagnon", payer_reference="Cheque 0042",
            postdated_date=cls.today + timedelta(days=30))["payment_id"])
        cls.invoice_2 = cls.init_invoice("out_invoice", partner=cls.debtor, amounts=[20.0], taxes=[],
                                         invoice_date=cls.today, post=True)
        cls.draft_invoice = cls.init_invoice("out_invoice", partner=cls.debtor, amounts=[20.0], taxes=[],
                                             invoice_date=cls.today, post=False)
        cls.vendor_bill = cls.init_invoice("in_invoice", partner=cls.debtor, amounts=[40.0], taxes=[],
                                           invoice_date=cls.today, post=True)
        cls.vendor_payment = Payment.create({
            "payment_type": "outbound", "partner_type": "supplier", "partner_id": cls.debtor.id,
            "amount": 15.0, "journal_id": cls.bank_journal.id,
        })
        cls.vendor_payment.action_post()

        # A second client: an open credit, a fully reversed credit, and an invoice paid in full.
        cls.client_b = env["res.partner"].create({"name": "Second client", "is_company": True})
        cls.credit_b = Move.browse(cls.client_b.billing_create_credit(40.0, "Credit of B", tax_ids=[]))
        cls.reversed_credit_b = Move.browse(cls.client_b.billing_create_credit(25.0, "Wrong credit", tax_ids=[]))
        cls.client_b.billing_create_charge(25.0, "Reverse the wrong credit", taxes_included=True, tax_ids=[],
                                           reversed_credit_id=cls.reversed_credit_b.id)
        cls.invoice_b = cls.init_invoice("out_invoice", partner=cls.client_b, amounts=[60.0], taxes=[],
                                         invoice_date=cls.today, post=True)
        cls.payment_b = env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.invoice_b.ids,
        ).create({"journal_id": cls.cash_journal.id})._create_payments()

        # A second company: its journal, tax, invoice and credit note.
        cls.other = cls.setup_other_company(name="Other company (bad input)")
        cls.other_journal = cls.other["default_journal_bank"]
        cls.other_tax = cls.other["default_tax_sale"]
        cls.other_invoice = cls.init_invoice("out_invoice", partner=cls.debtor, amounts=[100.0], taxes=[],
                                             invoice_date=cls.today, post=True, company=cls.other["company"])
        cls.other_credit = cls.init_invoice("out_refund", partner=cls.creditor, amounts=[20.0], taxes=[],
                                            invoice_date=cls.today, post=True, company=cls.other["company"])

        # As the records of the current company's session (the second company is not the current one).
        cls.other_invoice = cls.other_invoice.with_env(env)
        cls.other_credit = cls.other_credit.with_env(env)
        cls.clients = cls.creditor | cls.debtor | cls.client_b | cls.client_zero

    # ---- what must not move --------------------------------------------------

    def snapshot(self, counted=()):
        """Counts, balances and caps; amounts as text so that they compare exactly."""
        env = self.env
        env.invalidate_all()
        money = "{:.2f}".format
        state = {model: env[model].search_count([]) for model in (
            "account.move", "account.move.line", "account.payment", "mail.message", *counted)}
        for client in self.clients:
            state[f"balance of {client.name}"] = money(client.billing_balance)
            state[f"available credit of {client.name}"] = money(client.billing_available_credit)
            state[f"messages on {client.name}"] = env["mail.message"].search_count(
                [("model", "=", "res.partner"), ("res_id", "=", client.id)])
        state["invoice due"] = money(self.invoice.amount_residual)
        state["invoice scheduled"] = money(self.invoice.billing_scheduled_amount)
        state["cancelled quantities"] = [money(qty) for qty in
                                         self.invoice.invoice_line_ids.mapped("billing_cancelled_qty")]
        state["left to refund on the payment"] = money(self.cash_payment.billing_refundable_amount)
        state["refunds"] = (self.settled_refund + self.cancelled_refund + self.pending_refund).mapped(
            lambda refund: (refund.billing_refund_state, refund.state))
        state["scheduled payment"] = (self.scheduled.state, money(self.scheduled.amount))
        state["credits of B"] = [money(credit.amount_residual) for credit in self.credit_b + self.reversed_credit_b]
        return state

    # ---- the table -----------------------------------------------------------

    def _cases(self):
        env = self.env
        creditor, debtor, client_b = Call(self.creditor), Call(self.debtor), Call(self.client_b)
        invoice, payment = Call(self.invoice), Call(self.cash_payment)
        swim, camp = self.swim_line.id, self.camp_line.id
        bank = self.bank_journal.id
        future = fields.Date.to_string(self.today + timedelta(days=10))
        later = self.today + timedelta(days=60)

        def wizard(model, context, vals):
            return confirm_wizard(env, model, context, vals)

        credit_ctx = self.creditor.action_billing_create_credit()["context"]
        charge_ctx = self.creditor.action_billing_create_charge()["context"]
        refund_ctx = self.creditor.action_billing_record_refund()["context"]
        payment_refund_ctx = self.cash_payment.action_billing_refund_wizard()["context"]
        pay_ctx = self.invoice.action_billing_make_payment()["context"]
        cancel_ctx = self.invoice.action_billing_cancel_items()["context"]

        def active(move):
            return {"active_model": "account.move", "active_id": move.id, "active_ids": move.ids}

        def cancel_lines(*pairs):
            return [Command.create({"invoice_line_id": line_id, "quantity": qty, "selected": True})
                    for line_id, qty in pairs]

        def cancel_camp_first():
            self.invoice.billing_cancel_items([camp], note="Camp cancelled")

        def cancel_all_scheduled():
            env["account.payment"].search(
                [("billing_postdated", "=", True), ("state", "=", "draft")]).billing_cancel_scheduled()

        def apply_on(day):
            def call():
                with freeze_time(day):
                    return env["account.payment"].billing_apply_postdated()
            return call

        W_CREDIT, W_REFUND = "account.billing.credit.wizard", "account.billing.record.refund.wizard"
        W_PAY = "account.billing.make.payment.wizard"
        W_PREFUND, W_CANCEL = "account.billing.refund.payment.wizard", "account.billing.cancel.items.wizard"

        return [
            # ---- res.partner.billing_create_credit (R1) ------------------------------
            case("credit/zero", creditor.billing_create_credit(0.0, NOTE), POSITIVE),
            case("credit/negative", creditor.billing_create_credit(-10.0, NOTE), POSITIVE),
            case("credit/nan", creditor.billing_create_credit(NAN, NOTE), NUMBER),
            case("credit/inf", creditor.billing_create_credit(INF, NOTE), NUMBER),
            case("credit/minus-inf", creditor.billing_create_credit(-INF, NOTE), NUMBER),
            case("credit/text-number", creditor.billing_create_credit("12", NOTE), NUMBER),
            case("credit/text", creditor.billing_create_credit("abc", NOTE), NUMBER),
            case("credit/bool", creditor.billing_create_credit(True, NOTE), NUMBER),
            case("credit/list", creditor.billing_create_credit([10.0], NOTE), NUMBER),
            case("credit/dict", creditor.billing_create_credit({"amount": 10.0}, NOTE), NUMBER),
            case("credit/none", creditor.billing_create_credit(None, NOTE), NUMBER),
            case("credit/decimals", creditor.billing_create_credit(10.001, NOTE), DECIMALS),
            case("credit/note-none", creditor.billing_create_credit(10.0, None), NOTE_REQUIRED),
            case("credit/note-blank", creditor.billing_create_credit(10.0, "   "), NOTE_REQUIRED),
            case("credit/note-card", creditor.billing_create_credit(10.0, f"Paid with {CARD}"), CARD_WORDS),
            case("credit/tax-other-company",
                 creditor.billing_create_credit(10.0, NOTE, tax_ids=self.other_tax.ids), OTHER_COMPANY),
            case("credit/tax-purchase",
                 creditor.billing_create_credit(10.0, NOTE, tax_ids=self.tax_purchase_a.ids), r"sales tax"),
            case("credit/tax-unknown",
                 creditor.billing_create_credit(10.0, NOTE, tax_ids=[UNKNOWN_ID]), r"exist"),
            case("credit/tax-ids-text", creditor.billing_create_credit(10.0, NOTE, tax_ids="abc"), r"tax"),
            case("credit/tax-ids-dict", creditor.billing_create_credit(10.0, NOTE, tax_ids={"id": 1}), r"tax"),
            case("credit/two-clients",
                 Call(self.creditor | self.debtor).billing_create_credit(10.0, NOTE), ONE),
            case("credit/no-client", Call(env["res.partner"]).billing_create_credit(10.0, NOTE), ONE),

            # ---- res.partner.billing_create_charge (R2) ------------------------------
            case("charge/zero", creditor.billing_create_charge(0.0, NOTE), POSITIVE),
            case("charge/nan", creditor.billing_create_charge(NAN, NOTE), NUMBER),
            case("charge/text", creditor.billing_create_charge("abc", NOTE), NUMBER),
            case("charge/decimals", creditor.billing_create_charge(1.999, NOTE), DECIMALS),
            case("charge/note-blank", creditor.billing_create_charge(10.0, ""), NOTE_REQUIRED),
            case("charge/note-card", creditor.billing_create_charge(10.0, "4111-1111-1111-1111"), CARD_WORDS),
            case("charge/reverse-credit-of-another-client",
                 creditor.billing_create_charge(10.0, NOTE, tax_ids=[], reversed_credit_id=self.credit_b.id),
                 r"is not|another client|not .*client"),
            case("charge/reverse-unknown-id",
                 creditor.billing_create_charge(10.0, NOTE, tax_ids=[], reversed_credit_id=UNKNOWN_ID),
                 r"credit note|exist"),
            case("charge/reverse-id-text",
                 creditor.billing_create_charge(10.0, NOTE, tax_ids=[], reversed_credit_id="abc"),
                 r"record id|credit"),
            case("charge/reverse-id-list",
                 creditor.billing_create_charge(10.0, NOTE, tax_ids=[], reversed_credit_id=[self.credit_note.id]),
                 r"record id|credit"),
            case("charge/reverse-an-invoice",
                 debtor.billing_create_charge(10.0, NOTE, tax_ids=[], reversed_credit_id=self.invoice.id),
                 r"credit note"),
            case("charge/reverse-credit-of-another-company",
                 creditor.billing_create_charge(10.0, NOTE, tax_ids=[], reversed_credit_id=self.other_credit.id),
                 OTHER_COMPANY),
            case("charge/reverse-more-than-open",
                 creditor.billing_create_charge(100.01, NOTE, taxes_included=True, tax_ids=[],
                                                reversed_credit_id=self.credit_note.id),
                 r"more than|at most|open"),
            case("charge/reverse-fully-reversed-credit",
                 client_b.billing_create_charge(5.0, NOTE, taxes_included=True, tax_ids=[],
                                                reversed_credit_id=self.reversed_credit_b.id),
                 r"already|fully reversed|nothing left"),
            case("charge/two-clients",
                 Call(self.creditor | self.client_b).billing_create_charge(10.0, NOTE), ONE),

            # ---- res.partner.billing_refund (R3) -------------------------------------
            case("r3/zero", creditor.billing_refund(0.0, bank, NOTE), POSITIVE),
            case("r3/negative", creditor.billing_refund(-1.0, bank, NOTE), POSITIVE),
            case("r3/nan", creditor.billing_refund(NAN, bank, NOTE), NUMBER),
            case("r3/inf", creditor.billing_refund(INF, bank, NOTE), NUMBER),
            case("r3/text", creditor.billing_refund("abc", bank, NOTE), NUMBER),
            case("r3/bool", creditor.billing_refund(True, bank, NOTE), NUMBER),
            case("r3/decimals", creditor.billing_refund(10.001, bank, NOTE), DECIMALS),
            case("r3/above-available-credit", creditor.billing_refund(100.01, bank, NOTE),
                 r"more than|at most|available credit"),
            case("r3/balance-zero", Call(self.client_zero).billing_refund(10.0, bank, NOTE), r"Create a credit"),
            case("r3/client-owing", debtor.billing_refund(10.0, bank, NOTE), r"Create a credit"),
            case("r3/online-provider-method",
                 creditor.billing_refund(10.0, bank, NOTE, payment_method_line_id=self.provider_method_line.id),
                 r"online payment provider"),
            case("r3/method-of-another-journal",
                 creditor.billing_refund(10.0, bank, NOTE, payment_method_line_id=self.cash_outbound_line.id),
                 r"not an outgoing payment method|method"),
            case("r3/method-unknown",
                 creditor.billing_refund(10.0, bank, NOTE, payment_method_line_id=UNKNOWN_ID), r"exist"),
            case("r3/journal-other-company", creditor.billing_refund(10.0, self.other_journal.id, NOTE),
                 OTHER_COMPANY),
            case("r3/journal-sale", creditor.billing_refund(10.0, self.company_data["default_journal_sale"].id, NOTE),
                 r"bank or cash"),
            case("r3/journal-unknown", creditor.billing_refund(10.0, UNKNOWN_ID, NOTE), r"journal"),
            case("r3/journal-none", creditor.billing_refund(10.0, None, NOTE), r"journal"),
            case("r3/journal-text", creditor.billing_refund(10.0, "abc", NOTE), r"journal"),
            case("r3/journal-list", creditor.billing_refund(10.0, [bank], NOTE), r"journal"),
            case("r3/note-none", creditor.billing_refund(10.0, bank, None), NOTE_REQUIRED),
            case("r3/note-blank", creditor.billing_refund(10.0, bank, "\n  "), NOTE_REQUIRED),
            case("r3/note-card", creditor.billing_refund(10.0, bank, f"card {CARD}"), CARD_WORDS),
            case("r3/two-clients", Call(self.creditor | self.client_b).billing_refund(10.0, bank, NOTE), ONE),

            # ---- account.move.billing_make_payment (R7) ------------------------------
            case("pay/zero", invoice.billing_make_payment(0.0, bank), POSITIVE),
            case("pay/negative", invoice.billing_make_payment(-5.0, bank), POSITIVE),
            case("pay/nan", invoice.billing_make_payment(NAN, bank), NUMBER),
            case("pay/inf", invoice.billing_make_payment(INF, bank), NUMBER),
            case("pay/text-number", invoice.billing_make_payment("12", bank), NUMBER),
            case("pay/text", invoice.billing_make_payment("abc", bank), NUMBER),
            case("pay/bool", invoice.billing_make_payment(True, bank), NUMBER),
            case("pay/list", invoice.billing_make_payment([10.0], bank), NUMBER),
            case("pay/none", invoice.billing_make_payment(None, bank), NUMBER + "|" + POSITIVE),
            case("pay/decimals", invoice.billing_make_payment(10.001, bank), DECIMALS),
            case("pay/above-amount-due", invoice.billing_make_payment(245.01, bank), r"more than"),
            case("pay/above-due-minus-scheduled", invoice.billing_make_payment(195.01, bank),
                 r"more than|scheduled"),
            case("pay/paid-invoice", Call(self.invoice_b).billing_make_payment(1.0, bank), r"more than|paid"),
            case("pay/journal-other-company", invoice.billing_make_payment(10.0, self.other_journal.id),
                 OTHER_COMPANY),
            case("pay/journal-sale",
                 invoice.billing_make_payment(10.0, self.company_data["default_journal_sale"].id), r"bank or cash"),
            case("pay/journal-unknown", invoice.billing_make_payment(10.0, UNKNOWN_ID), r"journal"),
            case("pay/journal-text", invoice.billing_make_payment(10.0, "abc"), r"journal"),
            case("pay/online-provider-method",
                 invoice.billing_make_payment(10.0, bank, payment_method_line_id=self.provider_method_line.id),
                 r"online payment provider|offline"),
            case("pay/method-unknown", invoice.billing_make_payment(10.0, bank, payment_method_line_id=UNKNOWN_ID),
                 r"method"),
            case("pay/payer-reference-card",
                 invoice.billing_make_payment(10.0, bank, payer_reference="4111111111111111 exp 12/29"), CARD_WORDS),
            case("pay/payer-name-card", invoice.billing_make_payment(10.0, bank, payer_name=CARD), CARD_WORDS),
            case("pay/postdated-dd-mm-yyyy", invoice.billing_make_payment(10.0, bank, postdated_date="31/12/2030"),
                 r"date"),
            case("pay/postdated-word", invoice.billing_make_payment(10.0, bank, postdated_date="tomorrow"), r"date"),
            case("pay/postdated-number", invoice.billing_make_payment(10.0, bank, postdated_date=12345), r"date"),
            case("pay/postdated-today", invoice.billing_make_payment(10.0, bank, postdated_date=self.today),
                 r"after today"),
            case("pay/postdated-past", invoice.billing_make_payment(10.0, bank, postdated_date="2020-01-01"),
                 r"after today"),
            case("pay/postdated-and-credit",
                 invoice.billing_make_payment(10.0, bank, postdated_date=future, use_credit=True),
                 r"cannot be combined"),
            case("pay/credit-without-credit", invoice.billing_make_payment(0.0, bank, use_credit=True),
                 r"no open credit"),
            case("pay/vendor-bill", Call(self.vendor_bill).billing_make_payment(10.0, bank), NOT_INVOICE),
            case("pay/draft-invoice", Call(self.draft_invoice).billing_make_payment(10.0, bank), NOT_INVOICE),
            case("pay/credit-note", Call(self.credit_note).billing_make_payment(10.0, bank), NOT_INVOICE),
            case("pay/invoice-other-company", Call(self.other_invoice).billing_make_payment(10.0, bank),
                 OTHER_COMPANY),
            case("pay/two-invoices", Call(self.invoice | self.invoice_2).billing_make_payment(10.0, bank), ONE),

            # ---- account.move.billing_cancel_items (R6) ------------------------------
            case("cancel/lines-empty", invoice.billing_cancel_items([]), r"at least one"),
            case("cancel/lines-none", invoice.billing_cancel_items(None), r"at least one"),
            case("cancel/lines-int", invoice.billing_cancel_items(12345), r"line"),
            case("cancel/lines-text", invoice.billing_cancel_items("abc"), r"line"),
            case("cancel/lines-dict", invoice.billing_cancel_items({"id": swim}), r"line"),
            case("cancel/line-unknown", invoice.billing_cancel_items([UNKNOWN_ID]), r"line"),
            case("cancel/line-id-text", invoice.billing_cancel_items(["abc"]), r"line"),
            case("cancel/line-as-dict", invoice.billing_cancel_items([{"id": swim, "quantity": 1}]), r"line"),
            case("cancel/line-of-another-invoice",
                 invoice.billing_cancel_items([self.invoice_b.invoice_line_ids[0].id]), r"not a product line|line"),
            case("cancel/pair-of-three", invoice.billing_cancel_items([[swim, 1.0, 2.0]]), r"pair|line id"),
            case("cancel/quantity-above-line", invoice.billing_cancel_items([[swim, 3.0]]),
                 r"can still be cancelled|more than"),
            case("cancel/quantity-zero", invoice.billing_cancel_items([[swim, 0.0]]), POSITIVE),
            case("cancel/quantity-negative", invoice.billing_cancel_items([[swim, -1.0]]), POSITIVE),
            case("cancel/quantity-nan", invoice.billing_cancel_items([[swim, NAN]]), NUMBER),
            case("cancel/quantity-inf", invoice.billing_cancel_items([[swim, INF]]), NUMBER + r"|can still be"),
            case("cancel/quantity-text", invoice.billing_cancel_items([[swim, "abc"]]), NUMBER),
            case("cancel/line-given-twice", invoice.billing_cancel_items([swim, [swim, 1.0]]), r"twice"),
            case("cancel/line-cancelled-twice", invoice.billing_cancel_items([camp]),
                 r"already cancelled|twice", prepare=cancel_camp_first),
            case("cancel/penalty-percent-above-100",
                 invoice.billing_cancel_items([camp], penalty_type="percent", penalty_value=150.0),
                 r"between 0 and 100"),
            case("cancel/penalty-percent-negative",
                 invoice.billing_cancel_items([camp], penalty_type="percent", penalty_value=-5.0),
                 r"between 0 and 100"),
            case("cancel/penalty-above-base",
                 invoice.billing_cancel_items([camp], penalty_type="amount", penalty_value=230.01),
                 r"larger than|more than"),
            case("cancel/penalty-negative",
                 invoice.billing_cancel_items([camp], penalty_type="amount", penalty_value=-1.0), r"negative"),
            case("cancel/penalty-nan",
                 invoice.billing_cancel_items([camp], penalty_type="amount", penalty_value=NAN), NUMBER),
            case("cancel/penalty-text",
                 invoice.billing_cancel_items([camp], penalty_type="amount", penalty_value="abc"), NUMBER),
            case("cancel/penalty-decimals",
                 invoice.billing_cancel_items([camp], penalty_type="amount", penalty_value=1.001), DECIMALS),
            case("cancel/penalty-type-unknown",
                 invoice.billing_cancel_items([camp], penalty_type="half", penalty_value=1.0), r"penalty type"),
            case("cancel/refund-above-paid",
                 invoice.billing_cancel_items([camp], refund_amount=100.01, refund_payment_id=self.cash_payment.id,
                                              note=NOTE), r"more than"),
            case("cancel/refund-above-left-on-payment",
                 invoice.billing_cancel_items([camp], refund_amount=60.01, refund_payment_id=self.cash_payment.id,
                                              note=NOTE), r"more than"),
            case("cancel/refund-negative",
                 invoice.billing_cancel_items([camp], refund_amount=-5.0, refund_journal_id=bank, note=NOTE),
                 r"negative|" + POSITIVE),
            case("cancel/refund-nan",
                 invoice.billing_cancel_items([camp], refund_amount=NAN, refund_journal_id=bank, note=NOTE), NUMBER),
            case("cancel/refund-text",
                 invoice.billing_cancel_items([camp], refund_amount="abc", refund_journal_id=bank, note=NOTE), NUMBER),
            case("cancel/refund-decimals",
                 invoice.billing_cancel_items([camp], refund_amount=1.001, refund_journal_id=bank, note=NOTE),
                 DECIMALS),
            case("cancel/refund-without-source",
                 invoice.billing_cancel_items([camp], refund_amount=10.0, note=NOTE), r"Choose the payment"),
            case("cancel/refund-payment-of-another-client",
                 invoice.billing_cancel_items([camp], refund_amount=10.0, refund_payment_id=self.payment_b.id,
                                              note=NOTE), r"one of the payments"),
            case("cancel/refund-payment-unknown",
                 invoice.billing_cancel_items([camp], refund_amount=10.0, refund_payment_id=UNKNOWN_ID, note=NOTE),
                 r"payment"),
            case("cancel/refund-payment-id-text",
                 invoice.billing_cancel_items([camp], refund_amount=10.0, refund_payment_id="abc", note=NOTE),
                 r"payment"),
            case("cancel/refund-journal-other-company",
                 invoice.billing_cancel_items([camp], refund_amount=10.0, refund_journal_id=self.other_journal.id,
                                              note=NOTE), OTHER_COMPANY),
            case("cancel/refund-note-missing",
                 invoice.billing_cancel_items([camp], refund_amount=10.0, refund_payment_id=self.cash_payment.id),
                 NOTE_REQUIRED),
            case("cancel/note-card", invoice.billing_cancel_items([camp], note=f"Refund to {CARD}"), CARD_WORDS),
            case("cancel/vendor-bill", Call(self.vendor_bill).billing_cancel_items([camp]), NOT_INVOICE),
            case("cancel/credit-note", Call(self.credit_note).billing_cancel_items([camp]), NOT_INVOICE),
            case("cancel/draft-invoice", Call(self.draft_invoice).billing_cancel_items(
                self.draft_invoice.invoice_line_ids.ids), NOT_INVOICE),
            case("cancel/invoice-other-company", Call(self.other_invoice).billing_cancel_items(
                self.other_invoice.invoice_line_ids.ids), OTHER_COMPANY),
            case("cancel/two-invoices", Call(self.invoice | self.invoice_2).billing_cancel_items([camp]), ONE),

            # ---- account.payment.billing_refund (R4) ---------------------------------
            case("r4/zero", payment.billing_refund(0.0, NOTE), POSITIVE),
            case("r4/negative", payment.billing_refund(-1.0, NOTE), POSITIVE),
            case("r4/nan", payment.billing_refund(NAN, NOTE), NUMBER),
            case("r4/inf", payment.billing_refund(INF, NOTE), NUMBER),
            case("r4/text", payment.billing_refund("abc", NOTE), NUMBER),
            case("r4/bool", payment.billing_refund(True, NOTE), NUMBER),
            case("r4/decimals", payment.billing_refund(1.001, NOTE), DECIMALS),
            case("r4/above-left-to-refund", payment.billing_refund(60.01, NOTE), r"more than|at most|left to refund"),
            case("r4/note-none", payment.billing_refund(10.0, None), NOTE_REQUIRED),
            case("r4/note-blank", payment.billing_refund(10.0, " "), NOTE_REQUIRED),
            case("r4/note-card", payment.billing_refund(10.0, f"Back to {CARD}"), CARD_WORDS),
            case("r4/refund-of-a-refund", Call(self.pending_refund).billing_refund(10.0, NOTE), r"cannot be refunded"),
            case("r4/vendor-payment", Call(self.vendor_payment).billing_refund(10.0, NOTE), r"cannot be refunded"),
            case("r4/scheduled-payment", Call(self.scheduled).billing_refund(10.0, NOTE), r"cannot be refunded"),
            case("r4/two-payments", Call(self.cash_payment | self.payment_b).billing_refund(10.0, NOTE), ONE),
            case("r4/no-payment", Call(env["account.payment"]).billing_refund(10.0, NOTE), ONE),

            # ---- account.payment.billing_cancel_refund (R5) --------------------------
            case("cancel-refund/twice", Call(self.cancelled_refund).billing_cancel_refund(), r"already cancelled"),
            case("cancel-refund/settled", Call(self.settled_refund).billing_cancel_refund(),
                 r"no longer be cancelled|settled"),
            case("cancel-refund/not-a-refund", payment.billing_cancel_refund(), r"not a refund"),
            case("cancel-refund/vendor-payment", Call(self.vendor_payment).billing_cancel_refund(), r"not a refund"),
            case("cancel-refund/note-card", Call(self.pending_refund).billing_cancel_refund(note=CARD), CARD_WORDS),
            case("cancel-refund/two-refunds",
                 Call(self.pending_refund | self.settled_refund).billing_cancel_refund(), ONE),

            # ---- account.payment.billing_cancel_scheduled (R7.4) ---------------------
            case("cancel-scheduled/ordinary-payment", payment.billing_cancel_scheduled(), r"not a scheduled payment"),
            case("cancel-scheduled/a-refund", Call(self.pending_refund).billing_cancel_scheduled(),
                 r"not a scheduled payment"),
            case("cancel-scheduled/twice", Call(self.scheduled).billing_cancel_scheduled(),
                 r"not a scheduled payment|already cancelled", prepare=cancel_all_scheduled),
            case("cancel-scheduled/note-card", Call(self.scheduled).billing_cancel_scheduled(note=CARD), CARD_WORDS),
            case("cancel-scheduled/with-an-ordinary-payment",
                 Call(self.scheduled | self.cash_payment).billing_cancel_scheduled(), r"not a scheduled payment"),

            # ---- model methods (scheduled actions): nothing due, nothing done --------
            case("settle/nothing-pending", Call(env["account.payment"]).billing_settle_refunds(), None,
                 result=0, prepare=self.pending_refund.billing_cancel_refund),
            case("apply-postdated/not-yet-due", Call(env["account.payment"]).billing_apply_postdated(), None,
                 result=0),
            case("apply-postdated/cancelled-before-its-date", apply_on(later), None, result=0,
                 prepare=cancel_all_scheduled),

            # ---- account.billing.credit.wizard (R1, R2) --------------------------------------
            case("credit-wizard/zero", wizard(W_CREDIT, credit_ctx, {"amount": 0.0, "note": NOTE}), POSITIVE),
            case("credit-wizard/negative", wizard(W_CREDIT, credit_ctx, {"amount": -5.0, "note": NOTE}), POSITIVE),
            case("credit-wizard/note-blank", wizard(W_CREDIT, credit_ctx, {"amount": 5.0, "note": "  "}),
                 NOTE_REQUIRED),
            case("credit-wizard/note-card", wizard(W_CREDIT, credit_ctx, {"amount": 5.0, "note": CARD}), CARD_WORDS,
                 expect=ValidationError, counted=(W_CREDIT,)),
            case("credit-wizard/tax-other-company",
                 wizard(W_CREDIT, credit_ctx, {"amount": 5.0, "note": NOTE,
                                               "tax_ids": [Command.set(self.other_tax.ids)]}), OTHER_COMPANY),
            case("charge-wizard/reverse-credit-of-another-client",
                 wizard(W_CREDIT, charge_ctx, {"amount": 5.0, "note": NOTE, "tax_ids": [Command.clear()],
                                               "reversed_credit_id": self.credit_b.id}),
                 r"is not|another client|not .*client"),
            case("charge-wizard/reverse-more-than-open",
                 wizard(W_CREDIT, charge_ctx, {"amount": 100.01, "note": NOTE, "taxes_included": True,
                                               "tax_ids": [Command.clear()],
                                               "reversed_credit_id": self.credit_note.id}),
                 r"more than|at most|open"),

            # ---- account.billing.record.refund.wizard (R3) ------------------------------------------
            case("refund-wizard/above-available-credit",
                 wizard(W_REFUND, refund_ctx, {"amount": 100.01, "note": NOTE}), r"more than|at most|available credit"),
            case("refund-wizard/zero", wizard(W_REFUND, refund_ctx, {"amount": 0.0, "note": NOTE}), POSITIVE),
            case("refund-wizard/note-blank", wizard(W_REFUND, refund_ctx, {"amount": 10.0, "note": " "}),
                 NOTE_REQUIRED),
            case("refund-wizard/note-card", wizard(W_REFUND, refund_ctx, {"amount": 10.0, "note": CARD}),
                 CARD_WORDS, expect=ValidationError, counted=(W_REFUND,)),
            case("refund-wizard/online-provider-method",
                 wizard(W_REFUND, refund_ctx, {"amount": 10.0, "note": NOTE, "journal_id": bank,
                                               "payment_method_line_id": self.provider_method_line.id}),
                 r"online payment provider"),
            case("refund-wizard/journal-other-company",
                 wizard(W_REFUND, refund_ctx, {"amount": 10.0, "note": NOTE, "journal_id": self.other_journal.id}),
                 OTHER_COMPANY),
            case("refund-wizard/balance-zero",
                 wizard(W_REFUND, self.client_zero.action_billing_record_refund()["context"],
                        {"amount": 10.0, "note": NOTE}), r"Create a credit"),

            # ---- account.billing.refund.payment.wizard (R4) ----------------------------------
            case("payment-refund-wizard/above-left",
                 wizard(W_PREFUND, payment_refund_ctx, {"amount": 60.01, "note": NOTE}),
                 r"more than|at most|left to refund"),
            case("payment-refund-wizard/zero",
                 wizard(W_PREFUND, payment_refund_ctx, {"amount": 0.0, "note": NOTE}), POSITIVE),
            case("payment-refund-wizard/note-blank",
                 wizard(W_PREFUND, payment_refund_ctx, {"amount": 10.0, "note": "  "}), NOTE_REQUIRED),
            case("payment-refund-wizard/note-card",
                 wizard(W_PREFUND, payment_refund_ctx, {"amount": 10.0, "note": CARD}), CARD_WORDS,
                 expect=ValidationError, counted=(W_PREFUND,)),
            case("payment-refund-wizard/refund-of-a-refund",
                 wizard(W_PREFUND, {"default_payment_id": self.pending_refund.id}, {"amount": 10.0, "note": NOTE}),
                 r"cannot be refunded"),
            case("payment-refund-wizard/vendor-payment",
                 wizard(W_PREFUND, {"default_payment_id": self.vendor_payment.id}, {"amount": 10.0, "note": NOTE}),
                 r"cannot be refunded"),

            # ---- account.billing.make.payment.wizard (R7) -----------------------------------------
            case("payment-wizard/above-due-minus-scheduled",
                 wizard(W_PAY, pay_ctx, {"amount": 195.01, "journal_id": bank}), r"more than|scheduled"),
            case("payment-wizard/zero", wizard(W_PAY, pay_ctx, {"amount": 0.0, "journal_id": bank}), POSITIVE),
            case("payment-wizard/negative", wizard(W_PAY, pay_ctx, {"amount": -1.0, "journal_id": bank}), POSITIVE),
            case("payment-wizard/payer-card",
                 wizard(W_PAY, pay_ctx, {"amount": 10.0, "journal_id": bank, "payer_reference": f"Visa {CARD}"}),
                 CARD_WORDS, expect=ValidationError, counted=(W_PAY,)),
            case("payment-wizard/postdated-without-date",
                 wizard(W_PAY, pay_ctx, {"amount": 10.0, "journal_id": bank, "postdated": True}), r"date"),
            case("payment-wizard/postdated-past",
                 wizard(W_PAY, pay_ctx, {"amount": 10.0, "journal_id": bank, "postdated": True,
                                         "postdated_date": "2020-01-01"}), r"after today"),
            case("payment-wizard/postdated-and-credit",
                 wizard(W_PAY, pay_ctx, {"amount": 10.0, "journal_id": bank, "postdated": True,
                                         "postdated_date": future, "use_credit": True}), r"cannot be combined"),
            case("payment-wizard/journal-other-company",
                 wizard(W_PAY, pay_ctx, {"amount": 10.0, "journal_id": self.other_journal.id}), OTHER_COMPANY),
            case("payment-wizard/online-provider-method",
                 wizard(W_PAY, pay_ctx, {"amount": 10.0, "journal_id": bank,
                                         "payment_method_line_id": self.provider_method_line.id}),
                 r"online payment provider|offline"),
            case("payment-wizard/vendor-bill",
                 wizard(W_PAY, active(self.vendor_bill), {"amount": 10.0, "journal_id": bank}), NOT_INVOICE),
            case("payment-wizard/draft-invoice",
                 wizard(W_PAY, active(self.draft_invoice), {"amount": 10.0, "journal_id": bank}), NOT_INVOICE),

            # ---- account.billing.cancel.items.wizard (R6) ------------------------------------------
            case("cancel-wizard/nothing-ticked", wizard(W_CANCEL, cancel_ctx, {}), r"at least one"),
            case("cancel-wizard/quantity-above-line",
                 wizard(W_CANCEL, cancel_ctx, {"line_ids": cancel_lines((swim, 3.0))}),
                 r"can still be cancelled|more than"),
            case("cancel-wizard/quantity-negative",
                 wizard(W_CANCEL, cancel_ctx, {"line_ids": cancel_lines((swim, -1.0))}),
                 POSITIVE + r"|at least one|negative"),
            case("cancel-wizard/penalty-percent-above-100",
                 wizard(W_CANCEL, cancel_ctx, {"line_ids": cancel_lines((camp, 1.0)), "penalty_type": "percent",
                                               "penalty_value": 150.0}), r"between 0 and 100"),
            case("cancel-wizard/penalty-above-base",
                 wizard(W_CANCEL, cancel_ctx, {"line_ids": cancel_lines((camp, 1.0)), "penalty_type": "amount",
                                               "penalty_value": 230.01}), r"larger than|more than"),
            case("cancel-wizard/refund-above-paid",
                 wizard(W_CANCEL, cancel_ctx, {"line_ids": cancel_lines((camp, 1.0)), "refund_amount": 100.01,
                                               "refund_payment_id": self.cash_payment.id, "note": NOTE}),
                 r"more than"),
            case("cancel-wizard/refund-journal-other-company",
                 wizard(W_CANCEL, cancel_ctx, {"line_ids": cancel_lines((camp, 1.0)), "refund_amount": 10.0,
                                               "refund_journal_id": self.other_journal.id, "note": NOTE}),
                 OTHER_COMPANY),
            case("cancel-wizard/note-card",
                 wizard(W_CANCEL, cancel_ctx, {"line_ids": cancel_lines((camp, 1.0)), "note": CARD}), CARD_WORDS,
                 expect=ValidationError, counted=(W_CANCEL,)),
            case("cancel-wizard/credit-note",
                 wizard(W_CANCEL, active(self.credit_note), {}), NOT_INVOICE),
        ]

    # ---- the loop ------------------------------------------------------------

    def refusal_problems(self, item, error):
        """What is wrong with the refusal ``error`` (empty when it is the clear message expected)."""
        name = type(error).__name__
        message = error.args[0] if isinstance(error, UserError) and error.args else str(error)
        _logger.debug("Bad input case %s refused: %s: %s", item.id, name, message)
        if not isinstance(error, item.expect) or isinstance(error, NOT_CLEAR):
            return [f"{name} instead of {item.expect.__name__}: {message!s:.300}"]
        problems = []
        if not re.search(item.regex, message, re.IGNORECASE):
            problems.append(f"message does not say /{item.regex}/: {message!r}")
        if RULE_CODE.search(message):
            problems.append(f"message shows {RULE_CODE.search(message).group()!r}: {message!r}")
        if any(digits in message for digits in ("4111 1111 1111 1111", "4111111111111111", "4111-1111-1111-1111")):
            problems.append("message repeats the card number")
        return problems

    def run_case(self, item):
        """Every problem of the case at once: the refusal, its message, and what moved."""
        if item.prepare:
            item.prepare()
        before = self.snapshot(item.counted)
        problems = []
        if item.result is not NO_RESULT:
            returned = item.call()
            if returned != item.result:
                problems.append(f"returned {returned!r} instead of {item.result!r}")
        else:
            try:
                returned = item.call()
            except Exception as error:  # the type is the first thing checked
                problems += self.refusal_problems(item, error)
            else:
                problems.append(f"accepted (returned {returned!r}) instead of being refused")
        try:
            after = self.snapshot(item.counted)
        except Exception as error:  # a database error left the transaction unusable
            problems.append(f"state could not be read again ({type(error).__name__})")
        else:
            moved = {key: f"{before[key]} -> {after[key]}" for key in before if before[key] != after[key]}
            if moved:
                problems.append(f"something was written: {moved}")
        if problems:
            self.fail(" || ".join(problems))

    def test_bad_input_matrix(self):
        cases = self._cases()
        ids = [item.id for item in cases]
        self.assertEqual(len(ids), len(set(ids)), "case ids are unique")
        self.assertGreaterEqual(len(cases), 60)
        run = 0
        for item in cases:
            with self.subTest(case=item.id):
                savepoint = self.env.cr.savepoint()
                try:
                    run += 1
                    self.run_case(item)
                finally:
                    savepoint.close(rollback=True)
                    self.env.invalidate_all()
        _logger.info("Bad input matrix: %s cases run", run)
        self.assertEqual(run, len(cases))

    # ---- HTML in notes: stored as text, shown escaped ----------------------------

    def test_html_in_notes_is_never_rendered(self):
        """A note with markup is refused, or stored as plain text and shown escaped in the chatter."""
        calls = {
            "credit": lambda: self.creditor.billing_create_credit(10.0, HTML, tax_ids=[]),
            "charge": lambda: self.creditor.billing_create_charge(10.0, HTML, tax_ids=[]),
            "refund from the client": lambda: self.creditor.billing_refund(10.0, self.bank_journal.id, HTML),
            "refund of a payment": lambda: self.cash_payment.billing_refund(10.0, HTML),
            "payer name": lambda: self.invoice.billing_make_payment(10.0, self.bank_journal.id, payer_name=HTML),
            "cancel items": lambda: self.invoice.billing_cancel_items([self.camp_line.id], note=HTML),
        }
        Message = self.env["mail.message"]
        for name, call in calls.items():
            with self.subTest(operation=name):
                savepoint = self.env.cr.savepoint()
                try:
                    last = Message.search([], order="id desc", limit=1).id
                    try:
                        call()
                    except UserError as error:
                        self.assertNotIsInstance(error, NOT_CLEAR)
                        continue
                    self.env.flush_all()
                    bodies = Message.search([("id", ">", last)]).mapped(lambda message: str(message.body))
                    self.assertTrue(bodies, "the operation left audit notes")
                    self.assertFalse([body for body in bodies if "<script" in body], bodies)
                    self.assertTrue([body for body in bodies if "&lt;script&gt;" in body], bodies)
                finally:
                    savepoint.close(rollback=True)
                    self.env.invalidate_all()
