import logging
import threading
import uuid
from unittest.mock import patch

from odoo import SUPERUSER_ID
from odoo import Command
from odoo import api
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.exceptions import UserError
from odoo.modules.registry import DummyRLock
from odoo.modules.registry import Registry
from odoo.tests import new_test_user
from odoo.tests.common import BaseCase
from odoo.tests.common import get_db_name

_logger = logging.getLogger(__name__)


class BillingCommon(AccountTestInvoicingCommon):
    """A company with known taxes (15 %, and GST 5 % + QST 9.975 %) and a client."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.currency = cls.company.currency_id
        cls.receivable = cls.company_data["default_account_receivable"]
        cls.revenue = cls.company_data["default_account_revenue"]
        Tax = cls.env["account.tax"]
        cls.tax_15 = Tax.create({"name": "Tax 15%", "amount": 15.0, "type_tax_use": "sale",
                                 "company_id": cls.company.id})
        cls.tax_gst = Tax.create({"name": "GST 5%", "amount": 5.0, "type_tax_use": "sale",
                                  "company_id": cls.company.id})
        cls.tax_qst = Tax.create({"name": "QST 9.975%", "amount": 9.975, "type_tax_use": "sale",
                                  "company_id": cls.company.id})
        cls.credit_account = cls.revenue.copy({"code": "400900", "name": "Billing credits"})
        cls.credit_product = cls._create_product(
            name="Billing credit (test)", lst_price=0.0,
            property_account_income_id=cls.credit_account.id,
            taxes_id=[Command.set(cls.tax_15.ids)])
        cls.company.billing_credit_product_id = cls.credit_product
        cls.client = cls.env["res.partner"].create({"name": "Client Gagnon", "is_company": True})
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.cash_journal = cls.company_data["default_journal_cash"]

    # ---- helpers -------------------------------------------------------------

    def count_moves(self):
        return self.env["account.move"].search_count([])

    def receivable_lines(self, move):
        return move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")

    def invoice(self, amount, partner=None, post=True, taxes=None):
        return self.init_invoice("out_invoice", partner=partner or self.client, amounts=[amount],
                                 taxes=taxes if taxes is not None else self.tax_15, post=post,
                                 invoice_date="2024-01-10")

    def pay_invoice(self, invoice, amount=None, journal=None):
        vals = {"journal_id": (journal or self.bank_journal).id}
        if amount is not None:
            vals["amount"] = amount
        return self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids).create(vals)._create_payments()



class ReviewCommon(BillingCommon):
    """The reviews' findings (tests/test_review_findings_*.py): an invoicing user, a user with the refunds
    group and another client."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        prefix = cls.__name__.lower()
        company = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.invoicing_user = new_test_user(
            cls.env, login=f"{prefix}_invoicing", groups="base.group_user,account.group_account_invoice", **company)
        cls.refund_user = new_test_user(
            cls.env, login=f"{prefix}_refunds",
            groups="base.group_user,account.group_account_invoice,account_billing_operations.group_billing_refund",
            **company)
        cls.other = cls.env["res.partner"].create({"name": "Client Tremblay", "is_company": True})

    def ledger(self, client=None):
        """Odoo's partner ledger of the client: the posted receivable items of its commercial entity."""
        client = client or self.client
        lines = self.env["account.move.line"].search([
            ("partner_id", "child_of", client.id), ("company_id", "=", self.company.id),
            ("parent_state", "=", "posted"), ("account_id.account_type", "=", "asset_receivable")])
        return sum(lines.mapped("balance"))


class RaceCase(BaseCase):
    """docs/rules.md §7 races: THREADS real threads, each with its own cursor and transaction.

    The data raced on must be committed, so this is a BaseCase (no enclosing test transaction) on the
    database's main company; ``clean_up_client`` cancels and archives what a test made.
    """

    THREADS = 4
    LOSER_MESSAGES = ("right now. Try again",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def new_client(self, env):
        return env["res.partner"].create({"name": f"Race client {uuid.uuid4().hex[:8]}", "is_company": True})

    def clean_up_client(self, partner_id):
        """Cancel the client's payments and documents and archive it (posted entries stay, cancelled)."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].browse(partner_id)
            payments = env["account.payment"].search([("partner_id", "=", partner.id)])
            moves = env["account.move"].search([("partner_id", "=", partner.id)]) | payments.move_id
            # Posted billing credits stay (R1.4); the rest is cancelled, each step on its own.
            steps = (
                lambda: payments.filtered(lambda p: p.state != "draft").action_draft(),
                lambda: payments.exists().action_cancel(),
                lambda: (moves.exists() - moves.exists()._billing_locked_credits()).filtered(
                    lambda m: m.state == "posted").button_draft(),
                lambda: moves.exists().filtered(lambda m: m.state == "draft").button_cancel(),
                lambda: partner.write({"active": False}),
            )
            for step in steps:
                try:
                    with cr.savepoint():
                        step()
                except Exception as error:
                    _logger.info("Race data partly left as is: %s", error)

    def race(self, call, warm_up):
        """Run ``call(env, index)`` in THREADS threads started together, each with its own cursor;
        ``warm_up(env)`` starts every transaction (and its snapshot) before anyone writes. The
        environments are made here: making one in a thread would wait for the runner's registry lock.
        Returns the ids returned by the winners, after checking every loser got a clear error."""
        envs = [api.Environment(self.registry.cursor(), SUPERUSER_ID, {}) for _index in range(self.THREADS)]
        barrier = threading.Barrier(self.THREADS)
        outcomes = [None] * self.THREADS

        def run(index):
            env = envs[index]
            try:
                warm_up(env)
                barrier.wait(timeout=30)
                try:
                    result = call(env, index)
                    env.cr.commit()
                    outcomes[index] = ("ok", result)
                except UserError as error:
                    env.cr.rollback()
                    outcomes[index] = ("refused", str(error))
            except Exception as error:
                env.cr.rollback()
                outcomes[index] = ("crashed", repr(error))

        threads = [threading.Thread(target=run, args=(index,), daemon=True) for index in range(self.THREADS)]
        try:
            # The runner holds the registry lock while tests run; a worker retrying after a
            # serialization failure (odoo.service.model.retrying) resets its environment, which looks
            # the registry up: release that lookup as Odoo's own test mode does (enter_test_mode).
            with patch.object(Registry, "_lock", DummyRLock()):
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=120)
            self.assertFalse([thread for thread in threads if thread.is_alive()], "a worker is stuck")
        finally:
            if not any(thread.is_alive() for thread in threads):
                for env in envs:
                    env.cr.close()
        _logger.info("Race outcomes: %s", outcomes)
        winners = [result for state, result in outcomes if state == "ok"]
        losers = [result for state, result in outcomes if state == "refused"]
        self.assertGreaterEqual(len(winners), 1, outcomes)
        self.assertEqual(len(winners) + len(losers), self.THREADS, outcomes)
        for message in losers:
            self.assertTrue(any(words in message for words in self.LOSER_MESSAGES), message)
        return winners
