from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import BillingCommon

MODULE = "account_billing_operations"
CARDS = ("4111 1111 1111 1111", "4111-1111-1111-1111", "Visa 4111111111111111 exp 12/29", "5500005555555559",
         # Separators a person types or pastes: double spaces, tabs, new lines, no-break spaces, dots,
         # slashes, spaced dashes; and full-width digits.
         "4111  1111  1111  1111", "4111\t1111\n1111\t1111", "4111\u00a01111\u00a01111\u00a01111",
         "4111.1111.1111.1111", "4111/1111/1111/1111", "4111 - 1111 - 1111 - 1111",
         "4111\u20141111\u20141111\u20141111", "4111\u20111111\u20111111\u20111111", "4111    1111 1111 1111",
         "4111,1111,1111,1111", "4111 -- 1111 -- 1111 -- 1111", "4111|1111|1111|1111",
         "\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11")


@tagged("post_install", "-at_install")
class TestCardGuard(BillingCommon):
    """R7.3: no free-text field of the module accepts a full card number, at create or at write."""

    def module_text_fields(self):
        found = []
        for model_name in sorted(self.env.registry.models):
            Model = self.env[model_name]
            if Model._abstract or Model._table_query:  # the timeline is a read-only SQL view
                continue
            for name, field in Model._fields.items():
                if field.type in ("char", "text", "html") and MODULE in (field._modules or ()) \
                        and not (field.compute and not field.store and field.readonly) and not field.related:
                    found.append((model_name, name))
        return found

    def test_every_module_text_field_refuses_a_card_number(self):
        fields_found = self.module_text_fields()
        # The fields the user types in (docs/rules.md R7.3) are all found, wizards included.
        for expected in [("account.move", "billing_note"), ("account.payment", "billing_note"),
                         ("account.payment", "billing_payer_name"), ("account.payment", "billing_payer_reference"),
                         ("account.billing.credit.wizard", "note"),
                         ("account.billing.record.refund.wizard", "note"),
                         ("account.billing.refund.payment.wizard", "note"),
                         ("account.billing.cancel.items.wizard", "note"),
                         ("account.billing.make.payment.wizard", "payer_name"),
                         ("account.billing.make.payment.wizard", "payer_reference")]:
            self.assertIn(expected, fields_found)
        for model_name, fname in fields_found:
            Model = self.env[model_name]
            for card in CARDS:
                with self.subTest(model=model_name, field=fname, card=card):
                    with self.assertRaisesRegex(ValidationError, "full card number"):
                        Model.browse().write({fname: card})
                    with self.assertRaisesRegex(ValidationError, "full card number"):
                        Model.create({fname: card})

    def test_wizard_records_never_saved_with_a_card_number(self):
        """The web client saves a wizard before its button runs: that save is refused."""
        Credit = self.env["account.billing.credit.wizard"].with_context(default_partner_id=self.client.id)
        before = Credit.search_count([])
        with self.assertRaisesRegex(ValidationError, "full card number"):
            Credit.create({"amount": 10.0, "note": f"Paid with {CARDS[0]}"})
        self.assertEqual(Credit.search_count([]), before)
        wizard = Credit.create({"amount": 10.0, "note": "Goodwill"})
        with self.assertRaisesRegex(ValidationError, "full card number"):
            wizard.write({"note": CARDS[1]})
        wizard.invalidate_recordset()
        self.assertEqual(wizard.note, "Goodwill")

    def test_move_billing_note_cannot_be_written_with_a_card_number(self):
        credit = self.env["account.move"].browse(self.client.billing_create_credit(10.0, "Goodwill"))
        with self.assertRaisesRegex(ValidationError, "full card number"):
            credit.write({"billing_note": CARDS[2]})
        credit.invalidate_recordset()
        self.assertEqual(credit.billing_note, "Goodwill")
        self.env.flush_all()
        self.assertFalse(self.env["mail.message"].search_count([("body", "ilike", "4111111111111111")]))

    def test_short_numbers_allowed(self):
        credit = self.env["account.move"].browse(self.client.billing_create_credit(
            10.0, "Visa 1111, auth 123456, cheque 000123, phone 514-555-0199"))
        self.assertIn("Visa 1111", credit.billing_note)

    def test_number_split_over_two_fields(self):
        """A number split over the payer name and the payer reference is a full card number too."""
        invoice = self.invoice(100.0)
        payments, messages = self.env["account.payment"].search_count([]), self.env["mail.message"].search_count([])
        with self.assertRaisesRegex(UserError, "full card number"):
            invoice.billing_make_payment(10.0, self.bank_journal.id, payer_name="4111 1111",
                                         payer_reference="1111 1111")
        Wizard = self.env["account.billing.make.payment.wizard"].with_context(
            active_model="account.move", active_ids=invoice.ids)
        with self.assertRaisesRegex(ValidationError, "full card number"):
            Wizard.create({"payer_name": "4111 1111", "payer_reference": "1111 1111"})
        wizard = Wizard.create({"payer_name": "4111 1111"})
        with self.assertRaisesRegex(ValidationError, "full card number"):
            wizard.write({"payer_reference": "1111 1111"})
        self.assertEqual(self.env["account.payment"].search_count([]), payments)
        self.assertEqual(self.env["mail.message"].search_count([]), messages)

    def test_messages_never_repeat_a_card_number(self):
        """Error messages reach the server log: a card number given in the wrong place is not echoed."""
        invoice = self.invoice(100.0)
        calls = (
            lambda: self.client.billing_create_credit("4111 1111 1111 1111", "Goodwill"),
            lambda: self.client.billing_create_credit(10.0, "Goodwill", tax_ids="4111111111111111"),
            lambda: invoice.billing_make_payment(10.0, self.bank_journal.id, payer_name=4111111111111111),
            lambda: invoice.billing_make_payment(10.0, "4111 1111 1111 1111"),
            lambda: invoice.billing_make_payment(10.0, self.bank_journal.id, postdated_date=4111111111111111),
            lambda: invoice.billing_cancel_items([["4111111111111111", 1]]),
            lambda: self.client.billing_create_credit(10.0, "Goodwill", idempotency_key=4111111111111111),
        )
        for index, call in enumerate(calls):
            with self.subTest(call=index):
                with self.assertRaises(UserError) as caught:
                    call()
                self.assertNotRegex(str(caught.exception), r"4111.?1111")
