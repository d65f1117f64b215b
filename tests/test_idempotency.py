"""docs/rules.md §6: idempotency keys, scoped by method and client, also when retries run at the same time."""
import functools

from odoo import SUPERUSER_ID
from odoo import api
from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.tests import tagged

from .common import BillingCommon
from .common import RaceCase


@tagged("post_install", "-at_install")
class TestIdempotency(BillingCommon):

    def setUp(self):
        super().setUp()
        self.Keys = self.env["account.billing.idempotency"].sudo()

    def test_same_key_same_call_returns_first_result(self):
        first = self.client.billing_create_credit(10.0, "Retry", tax_ids=[], idempotency_key="k-1")
        moves, keys = self.count_moves(), self.Keys.search_count([])
        again = self.client.billing_create_credit(10.0, "Retry", tax_ids=[], idempotency_key="k-1")
        self.assertEqual(first, again)
        self.assertEqual((self.count_moves(), self.Keys.search_count([])), (moves, keys))
        key = self.Keys.search([("key", "=", "k-1")])
        self.assertRecordValues(key, [{"method": "res.partner.billing_create_credit", "partner_id": self.client.id,
                                       "company_id": self.company.id, "result": first}])

    def test_same_key_other_arguments_refused(self):
        self.client.billing_create_credit(10.0, "Retry", tax_ids=[], idempotency_key="k-2")
        moves, balance = self.count_moves(), self.client.billing_balance
        for kwargs in ({"amount": 11.0}, {"note": "Other"}, {"tax_ids": self.tax_15.ids}, {"taxes_included": True}):
            with self.subTest(**kwargs):
                values = {"amount": 10.0, "note": "Retry", "tax_ids": [], **kwargs}
                with self.assertRaisesRegex(UserError, "already used.*different values.*new key"):
                    self.client.billing_create_credit(values.pop("amount"), values.pop("note"),
                                                      idempotency_key="k-2", **values)
        self.assertEqual(self.count_moves(), moves)
        self.client.invalidate_recordset()
        self.assertEqual(self.currency.compare_amounts(self.client.billing_balance, balance), 0)

    def test_keys_scoped_by_method_and_client(self):
        other = self.env["res.partner"].create({"name": "Other client"})
        credit = self.client.billing_create_credit(10.0, "Scoped", tax_ids=[], idempotency_key="same")
        charge = self.client.billing_create_charge(10.0, "Scoped", tax_ids=[], idempotency_key="same")
        other_credit = other.billing_create_credit(10.0, "Scoped", tax_ids=[], idempotency_key="same")
        self.assertEqual(len({credit, charge, other_credit}), 3)
        self.assertEqual(set(self.Keys.search([("key", "=", "same")]).mapped("method")),
                         {"res.partner.billing_create_credit", "res.partner.billing_create_charge"})

    def test_payment_refund_key_is_per_client(self):
        """R4: the key of a payment's refund is the client's, and its method is not R3's."""
        payments = self.pay_invoice(self.invoice(100.0, taxes=[])) + self.pay_invoice(self.invoice(100.0, taxes=[]))
        first = payments[0].billing_refund(10.0, "Refund", idempotency_key="r-1")
        self.assertEqual(payments[0].billing_refund(10.0, "Refund", idempotency_key="r-1"), first)
        moves = self.count_moves()
        with self.assertRaisesRegex(UserError, "already used.*different values"):
            payments[1].billing_refund(10.0, "Refund", idempotency_key="r-1")
        self.assertEqual(self.count_moves(), moves)
        key = self.Keys.search([("key", "=", "r-1")])
        self.assertRecordValues(key, [{"method": "account.payment.billing_refund", "partner_id": self.client.id}])
        # R3 with the same key is another method.
        self.client.billing_create_credit(50.0, "Credit", tax_ids=[])
        refund = self.client.billing_refund(10.0, self.bank_journal.id, "Refund", idempotency_key="r-1")
        self.assertNotEqual(refund, first)

    def test_bad_keys(self):
        moves = self.count_moves()
        for key in (["k"], {"k": 1}, 1.5, True, "x" * 300):
            with self.subTest(key=key), self.assertRaisesRegex(UserError, "idempotency key must be"):
                self.client.billing_create_credit(10.0, "Key", tax_ids=[], idempotency_key=key)
        with self.assertRaisesRegex(UserError, "full card number"):
            self.client.billing_create_credit(10.0, "Key", tax_ids=[], idempotency_key="4111 1111 1111 1111")
        self.assertEqual(self.count_moves(), moves)
        self.assertFalse(self.Keys.search([("key", "ilike", "4111")]))

    def test_failed_call_leaves_the_key_free(self):
        with self.assertRaisesRegex(UserError, "A note is required"):
            self.client.billing_create_credit(10.0, "", tax_ids=[], idempotency_key="k-3")
        self.assertFalse(self.Keys.search([("key", "=", "k-3")]))
        self.assertTrue(self.client.billing_create_credit(10.0, "Now", tax_ids=[], idempotency_key="k-3"))


@tagged("post_install", "-at_install")
class TestIdempotencyConcurrency(RaceCase):
    """Retries of one call running at the same time in several workers, through the RPC layer's retry."""

    LOSER_MESSAGES = ("already used",)

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            self.partner_id = self.new_client(api.Environment(cr, SUPERUSER_ID, {})).id
        self.addCleanup(self.clean_up_client, self.partner_id)

    def warm_up(self, env):
        env["res.partner"].browse(self.partner_id).billing_balance  # noqa: B018

    def credit_call(self, amount_of):
        def call(env, index):
            # As odoo.service.model.execute_kw runs an RPC call: retried on a serialization failure.
            return retrying(functools.partial(
                lambda: env["res.partner"].browse(self.partner_id).billing_create_credit(
                    amount_of(index), "Integration retry", tax_ids=[], idempotency_key="race-key")), env)
        return call

    def credits(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env["account.move"].search([("partner_id", "=", self.partner_id)]).ids

    def test_concurrent_retries_return_the_first_result(self):
        winners = self.race(self.credit_call(lambda index: 10.0), self.warm_up)
        self.assertEqual(len(winners), self.THREADS, winners)
        self.assertEqual(len(set(winners)), 1, winners)
        self.assertEqual(self.credits(), winners[:1])

    def test_concurrent_same_key_other_amount_refused(self):
        winners = self.race(self.credit_call(lambda index: 10.0 + index), self.warm_up)
        self.assertEqual(len(winners), 1, winners)
        self.assertEqual(self.credits(), winners)
