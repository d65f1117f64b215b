"""Every front-desk flow in a real Chromium (issue 11): one Odoo tour per flow, each ending on what the
user sees; the journal items are then asserted here. The data is prepared in Python, not clicked."""
import logging
import time
import unittest
from datetime import timedelta

from odoo import Command
from odoo import fields
from odoo.tests import HttpCase
from odoo.tests import tagged
from odoo.tests.common import _find_executable

from .common import BillingCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install", "is_tour")
class TestBillingTours(BillingCommon, HttpCase):
    """The tours must run: no Chromium, no websocket-client or a skipped tour is a failure, never a skip."""

    tour_seconds = {}

    @classmethod
    def setUpClass(cls):
        try:
            executable = _find_executable()
        except (unittest.SkipTest, OSError) as exc:
            raise AssertionError(f"Chromium is required by the billing tours and was not found: {exc}") from exc
        if not executable:
            raise AssertionError("Chromium is required by the billing tours and was not found on $PATH.")
        try:
            import websocket  # noqa: F401, PLC0415 - HttpCase skips its tours without it
        except ImportError as exc:
            raise AssertionError("websocket-client is required by the billing tours (HttpCase skips without it).") \
                from exc
        super().setUpClass()
        cls.penalty_account = cls.revenue.copy({"code": "400200", "name": "Cancellation fees"})
        cls.company.billing_penalty_product_id = cls._create_product(
            name="Cancellation fee", lst_price=0.0, property_account_income_id=cls.penalty_account.id,
            taxes_id=[Command.set(cls.tax_15.ids)])
        cls.swim_account = cls.revenue.copy({"code": "400100", "name": "Swimming revenue"})
        cls.swim = cls._create_product(name="Swimming", lst_price=100.0,
                                       property_account_income_id=cls.swim_account.id,
                                       taxes_id=[Command.set(cls.tax_15.ids)])
        # The tax on its own tax account, as a chart of accounts sets it.
        cls.tax_account = cls.company_data["default_account_tax_sale"]
        (cls.tax_15.invoice_repartition_line_ids | cls.tax_15.refund_repartition_line_ids).filtered(
            lambda line: line.repartition_type == "tax").account_id = cls.tax_account
        # The tours log in as the accounting manager of the test company (billing refunds included).
        cls.login = cls.env.user.login

    @classmethod
    def tearDownClass(cls):
        _logger.info("billing tours: %d tours in %.1f s (%s)", len(cls.tour_seconds), sum(cls.tour_seconds.values()),
                     ", ".join(f"{name} {seconds:.1f} s" for name, seconds in sorted(cls.tour_seconds.items())))
        super().tearDownClass()

    # ---- helpers -------------------------------------------------------------

    def tour(self, url, name):
        """start_tour, failing (never skipping) when the browser cannot run it."""
        self.env.flush_all()
        start = time.perf_counter()
        try:
            self.start_tour(url, f"account_billing_operations_{name}", login=self.login)
        except unittest.SkipTest as exc:
            self.fail(f"The tour {name} was skipped ({exc}): the billing tours must run in Chromium.")
        self.tour_seconds[name] = time.perf_counter() - start
        self.env.invalidate_all()

    def client_url(self):
        return f"/odoo/res.partner/{self.client.id}"

    def move_url(self, move):
        return f"/odoo/account.move/{move.id}"

    def balance(self):
        return self.client.with_company(self.company).billing_balance

    def lines_by_account(self, move):
        return move.line_ids.sorted(lambda line: (line.account_id.code, line.balance))

    def swim_invoice(self):
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": self.client.id, "invoice_date": fields.Date.today(),
            "invoice_line_ids": [Command.create({"product_id": self.swim.id, "quantity": 1.0, "price_unit": 100.0,
                                                "tax_ids": [Command.set(self.tax_15.ids)]})],
        })
        invoice.action_post()
        return invoice

    def customer_payments(self, payment_type="inbound"):
        return self.env["account.payment"].search([("partner_id", "=", self.client.id),
                                                   ("payment_type", "=", payment_type)], order="id")

    # ---- R1 -------------------------------------------------------------------

    def test_tour_create_credit(self):
        """Billing tab → Create a credit, 115.00 taxes included → Credit 115.00 and a timeline row."""
        self.tour(self.client_url(), "credit")
        credit = self.env["account.move"].search([("billing_note", "=", "Tour goodwill credit")])
        self.assertRecordValues(credit, [{"move_type": "out_refund", "state": "posted", "amount_untaxed": 100.0,
                                          "amount_tax": 15.0, "amount_total": 115.0, "partner_id": self.client.id}])
        self.assertRecordValues(self.lines_by_account(credit), [
            {"account_id": self.receivable.id, "balance": -115.0, "tax_line_id": False, "tax_ids": [],
             "reconciled": False},
            {"account_id": self.tax_account.id, "balance": 15.0, "tax_line_id": self.tax_15.id, "tax_ids": [],
             "reconciled": False},
            {"account_id": self.credit_account.id, "balance": 100.0, "tax_line_id": False, "tax_ids": self.tax_15.ids,
             "reconciled": False},
        ])
        self.assertAlmostEqual(self.balance(), -115.0)

    # ---- R2 -------------------------------------------------------------------

    def test_tour_reverse_credit(self):
        """Credit note → Reverse an erroneous credit → Create an invoice prefilled → reconciled, balance 0."""
        partner = self.client.with_company(self.company)
        credit = self.env["account.move"].browse(partner.billing_create_credit(115.0, "Given by mistake",
                                                                               taxes_included=True))
        self.tour(self.move_url(credit), "reverse_credit")
        invoice = self.env["account.move"].search([("billing_reversed_credit_id", "=", credit.id)])
        self.assertRecordValues(invoice, [{"move_type": "out_invoice", "state": "posted", "amount_total": 115.0,
                                           "billing_note": "Tour: credit given by mistake", "amount_residual": 0.0}])
        self.assertRecordValues(self.lines_by_account(invoice), [
            {"account_id": self.receivable.id, "balance": 115.0, "tax_line_id": False, "reconciled": True},
            {"account_id": self.tax_account.id, "balance": -15.0, "tax_line_id": self.tax_15.id, "reconciled": False},
            {"account_id": self.credit_account.id, "balance": -100.0, "tax_line_id": False, "reconciled": False},
        ])
        self.assertEqual(self.receivable_lines(credit).full_reconcile_id,
                         self.receivable_lines(invoice).full_reconcile_id)
        self.assertTrue(self.receivable_lines(credit).full_reconcile_id)
        self.assertAlmostEqual(self.balance(), 0.0)

    # ---- R3 -------------------------------------------------------------------

    def test_tour_record_refund(self):
        """Client in credit 115.00 → Record a refund of 40.00 → Credit 75.00, a pending refund row."""
        partner = self.client.with_company(self.company)
        credit = self.env["account.move"].browse(partner.billing_create_credit(115.0, "Season pass",
                                                                               taxes_included=True))
        self.tour(self.client_url(), "record_refund")
        refund = self.customer_payments("outbound")
        self.assertEqual(refund.move_id.state, "posted")
        self.assertRecordValues(refund, [{"amount": 40.0, "partner_type": "customer",
                                          "billing_refund_state": "pending",
                                          "billing_note": "Tour: moving away, cash refund"}])
        refund_lines = refund.move_id.line_ids.sorted("balance")
        self.assertRecordValues(refund_lines, [
            {"account_id": refund.outstanding_account_id.id, "balance": -40.0, "reconciled": False},
            {"account_id": self.receivable.id, "balance": 40.0, "reconciled": True},
        ])
        self.assertAlmostEqual(credit.amount_residual, 75.0)
        self.assertAlmostEqual(self.balance(), -75.0)

    # ---- R4 + R5 --------------------------------------------------------------

    def test_tour_refund_cash_payment_and_cancel(self):
        """Cash payment → Refund 50.00 from its timeline row → Cancel refund the same day → cancelled."""
        invoice = self.swim_invoice()
        payment = self.pay_invoice(invoice, journal=self.cash_journal)
        self.tour(self.client_url(), "refund_payment")
        refund = self.customer_payments("outbound")
        self.assertRecordValues(refund, [{"amount": 50.0, "billing_source_payment_id": payment.id,
                                          "billing_refund_state": "cancelled", "state": "canceled",
                                          "journal_id": self.cash_journal.id,
                                          "billing_note": "Tour: refund at the desk"}])
        self.assertEqual(refund.move_id.state, "cancel")
        self.assertFalse(refund.move_id.line_ids.filtered("reconciled"))
        # The payment is whole again: 115.00 can be refunded, the invoice is still paid, the balance 0.
        self.assertAlmostEqual(payment.billing_refundable_amount, 115.0)
        self.assertAlmostEqual(invoice.amount_residual, 0.0)
        self.assertRecordValues(self.receivable_lines(payment.move_id), [{"balance": -115.0, "reconciled": True}])
        self.assertAlmostEqual(self.balance(), 0.0)

    # ---- R7 -------------------------------------------------------------------

    def test_tour_payment_two_modes(self):
        """Invoice 115.00 → Make a payment 50.00 (bank), then 65.00 (cash) → paid with two payments."""
        invoice = self.swim_invoice()
        self.tour(self.move_url(invoice), "payment_two_modes")
        payments = self.customer_payments()
        self.assertRecordValues(payments, [
            {"amount": 50.0, "journal_id": self.bank_journal.id, "billing_invoice_id": invoice.id,
             "billing_payer_name": False},
            {"amount": 65.0, "journal_id": self.cash_journal.id, "billing_invoice_id": invoice.id,
             "billing_payer_name": "Marie Tremblay"},
        ])
        self.assertEqual(set(payments.move_id.mapped("state")), {"posted"})
        for payment, amount in zip(payments, (50.0, 65.0), strict=True):
            self.assertRecordValues(self.receivable_lines(payment.move_id), [{"balance": -amount, "reconciled": True}])
        self.assertAlmostEqual(invoice.amount_residual, 0.0)
        self.assertTrue(self.receivable_lines(invoice).reconciled)
        self.assertAlmostEqual(self.balance(), 0.0)

    def test_tour_postdated_payment(self):
        """Invoice 115.00 → Make a payment, Postdated next week → scheduled, not paid, nothing booked yet."""
        invoice = self.swim_invoice()
        self.tour(self.move_url(invoice), "postdated")
        scheduled = self.customer_payments()
        self.assertRecordValues(scheduled, [{"amount": 115.0, "billing_postdated": True,
                                             "billing_invoice_id": invoice.id,
                                             "billing_payer_reference": "Cheque 123, Desjardins"}])
        self.assertEqual(scheduled.date, fields.Date.today() + timedelta(days=7))
        self.assertFalse(scheduled.move_id.filtered(lambda move: move.state == "posted"))
        self.assertAlmostEqual(invoice.amount_residual, 115.0)
        self.assertAlmostEqual(invoice.billing_scheduled_amount, 115.0)
        self.assertFalse(self.receivable_lines(invoice).reconciled)
        self.assertAlmostEqual(self.balance(), 115.0)

    def test_tour_credit_on_file(self):
        """Credit 40.00 on file, invoice 115.00 → unticked: 50.00 paid, credit kept → ticked: 40.00 + 25.00."""
        partner = self.client.with_company(self.company)
        credit = self.env["account.move"].browse(partner.billing_create_credit(40.0, "Pool closed",
                                                                               taxes_included=True))
        invoice = self.swim_invoice()
        self.tour(self.move_url(invoice), "credit_on_file")
        payments = self.customer_payments()
        self.assertRecordValues(payments, [{"amount": 50.0}, {"amount": 25.0}])
        self.assertEqual(set(payments.move_id.mapped("state")), {"posted"})
        self.assertAlmostEqual(credit.amount_residual, 0.0)
        self.assertAlmostEqual(invoice.amount_residual, 0.0)
        partials = self.receivable_lines(invoice).matched_credit_ids
        self.assertEqual(sorted(partials.mapped("amount")), [25.0, 40.0, 50.0])
        self.assertEqual(partials.credit_move_id.move_id, credit | payments.move_id)
        self.assertAlmostEqual(self.balance(), 0.0)

    # ---- R6 -------------------------------------------------------------------

    def test_tour_cancel_items_penalty_refund(self):
        """Paid invoice 115.00 → Cancel/refund items, 10 % penalty, refund 103.50 from the payment."""
        invoice = self.swim_invoice()
        payment = self.pay_invoice(invoice, journal=self.cash_journal)
        self.tour(self.move_url(invoice), "cancel_items")
        note = self.env["account.move"].search([("reversed_entry_id", "=", invoice.id)]) or \
            self.env["account.move"].search([("move_type", "=", "out_refund"), ("partner_id", "=", self.client.id)])
        self.assertRecordValues(note, [{"move_type": "out_refund", "state": "posted", "amount_total": 103.5}])
        self.assertRecordValues(self.lines_by_account(note), [
            {"account_id": self.receivable.id, "balance": -103.5, "tax_line_id": False, "tax_ids": []},
            # 15.00 of tax given back on the cancelled line, 1.50 kept on the penalty: one tax line of 13.50.
            {"account_id": self.tax_account.id, "balance": 13.5, "tax_line_id": self.tax_15.id, "tax_ids": []},
            {"account_id": self.swim_account.id, "balance": 100.0, "tax_line_id": False, "tax_ids": self.tax_15.ids},
            {"account_id": self.penalty_account.id, "balance": -10.0, "tax_line_id": False,
             "tax_ids": self.tax_15.ids},
        ])
        refund = self.customer_payments("outbound")
        self.assertRecordValues(refund, [{"amount": 103.5, "billing_source_payment_id": payment.id,
                                          "billing_refund_state": "pending"}])
        self.assertRecordValues(self.receivable_lines(refund.move_id), [{"balance": 103.5, "reconciled": True}])
        self.assertEqual(invoice.invoice_line_ids.billing_cancel_state, "cancelled")
        self.assertAlmostEqual(self.balance(), 0.0)
