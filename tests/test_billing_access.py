"""docs/rules.md §5: the balance fields and the timeline are read by the groups that read Odoo's partner
credit/debit; other users get a refusal by design, and the partner form never breaks for them."""
import xmlrpc.client

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form
from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException
from odoo.tests.common import get_db_name

from .common import BillingCommon

BILLING_FIELDS = ["billing_balance", "billing_available_credit", "billing_scheduled_amount",
                  "billing_balance_label", "billing_currency_id", "billing_timeline_ids"]
GROUPS = "account.group_account_invoice,account.group_account_readonly"


class AccessCommon(BillingCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.users = {
            "portal": new_test_user(cls.env, login="billing_portal", groups="base.group_portal", **company),
            "internal": new_test_user(cls.env, login="billing_internal", groups="base.group_user", **company),
            "invoicing": new_test_user(cls.env, login="billing_invoicing",
                                       groups="base.group_user,account.group_account_invoice", **company),
            "readonly": new_test_user(cls.env, login="billing_readonly",
                                      groups="base.group_user,account.group_account_readonly", **company),
        }
        # The portal user is a contact of the client: the client's own figures are not given through the ORM.
        cls.users["portal"].partner_id.parent_id = cls.client
        cls.init_invoice("out_invoice", partner=cls.client, amounts=[100.0], taxes=cls.tax_15, post=True,
                         invoice_date="2024-01-10")
        cls.client.billing_create_credit(15.0, "Goodwill", tax_ids=[])


@tagged("post_install", "-at_install")
class TestBillingAccess(AccessCommon):

    def test_fields_declare_the_groups_of_partner_credit(self):
        Partner = self.env["res.partner"]
        self.assertEqual(Partner._fields["credit"].groups, GROUPS)
        for fname in BILLING_FIELDS:
            self.assertEqual(Partner._fields[fname].groups, GROUPS, fname)

    def test_accounting_users_read_the_balance(self):
        for name in ("invoicing", "readonly"):
            with self.subTest(user=name):
                client = self.client.with_user(self.users[name])
                values = client.read(BILLING_FIELDS)[0]
                self.assertAlmostEqual(values["billing_balance"], 100.0)
                self.assertAlmostEqual(values["billing_available_credit"], 0.0)
                self.assertEqual(len(values["billing_timeline_ids"]), 2)
                rows = self.env["account.billing.timeline"].with_user(self.users[name]).search(
                    [("partner_id", "=", self.client.id)])
                self.assertAlmostEqual(rows[0].running_balance, 100.0)
                # The Billing tab is in the form they open.
                arch = client.get_views([(False, "form")])["views"]["form"]["arch"]
                self.assertIn('name="billing_balance_label"', arch)

    def test_other_users_are_refused_by_design(self):
        for name in ("portal", "internal"):
            user = self.users[name]
            client = self.client.with_user(user)
            for fname in BILLING_FIELDS:
                with self.subTest(user=name, field=fname), self.assertRaises(AccessError):
                    client.read([fname])
            with self.subTest(user=name, model="timeline"), self.assertRaises(AccessError):
                self.env["account.billing.timeline"].with_user(user).search([])
            if name == "internal":
                # Reading the partner as the web client does (all fields it may read) works and shows none.
                self.assertFalse(set(BILLING_FIELDS) & set(client.fields_get()))
                form = Form(client)  # the partner form opens as the web client opens it
                self.assertEqual(form.name, self.client.name)
                arch = client.get_views([(False, "form")])["views"]["form"]["arch"]
                self.assertNotIn("billing_", arch)
                self.assertEqual(client.display_name, self.client.display_name)


@tagged("post_install", "-at_install")
class TestBillingAccessRpc(AccessCommon, HttpCase):
    """The same over XML-RPC and JSON-RPC with a real login, as an integration does."""

    def xmlrpc_read(self, login, fields):
        uid = self.xmlrpc_common.authenticate(get_db_name(), login, login, {})
        self.assertTrue(uid)
        return self.xmlrpc_object.execute_kw(get_db_name(), uid, login, "res.partner", "read",
                                             [[self.client.id]], {"fields": fields})

    def test_xmlrpc(self):
        for name in ("invoicing", "readonly"):
            with self.subTest(user=name):
                values = self.xmlrpc_read(self.users[name].login, ["billing_balance", "billing_available_credit"])
                self.assertAlmostEqual(values[0]["billing_balance"], 100.0)
        for name in ("internal", "portal"):
            with self.subTest(user=name):
                with self.assertRaisesRegex(xmlrpc.client.Fault, "AccessError|enough rights"):
                    self.xmlrpc_read(self.users[name].login, ["billing_balance"])
        values = self.xmlrpc_read(self.users["internal"].login, ["name", "email"])
        self.assertEqual(values[0]["name"], self.client.name)

    def call_kw(self, login, method, args, kwargs=None):
        self.authenticate(login, login)
        return self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": "res.partner", "method": method, "args": args, "kwargs": kwargs or {}})

    def test_jsonrpc(self):
        values = self.call_kw("billing_invoicing", "read", [[self.client.id], ["billing_balance"]])
        self.assertAlmostEqual(values[0]["billing_balance"], 100.0)
        for login in ("billing_internal", "billing_portal"):
            with self.subTest(login=login), self.assertRaisesRegex(JsonRpcException, "AccessError"):
                self.call_kw(login, "read", [[self.client.id], ["billing_balance"]])
        values = self.call_kw("billing_internal", "web_read", [[self.client.id]],
                              {"specification": {"name": {}, "email": {}}})
        self.assertEqual(values[0]["name"], self.client.name)
