import re

import polib
from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools.misc import file_path

from .common import BillingCommon

# docs/rules.md §8, word for word, but for the tab: "Facturation" is the name of Odoo's own Invoicing tab on the
# same client form, so the Billing tab is "Dossier client" (docs/rules.md §8).
SPEC_8 = {
    "Billing": "Dossier client",
    "Operations": "Opérations",
    "Current balance": "Solde actuel",
    "Create a credit": "Créer un crédit",
    "Taxes included": "Taxes : incluses",
    "Record a refund": "Enregistrer un remboursement",
    "Reverse an erroneous credit": "Renverser un crédit erroné",
    "Create an invoice": "Créer une facture",
    "Cancel refund": "Annuler le remboursement",
    "Cancel/refund items": "Annuler/rembourser des articles",
    "Penalty": "Pénalité",
    "Make a payment": "Effectuer un paiement",
    "Payment mode": "Mode de paiement",
    "Postdated": "Postdaté",
    "Use the credit on file": "Utiliser le crédit au dossier",
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdfr]|<[^>]+>")


@tagged("post_install", "-at_install")
class TestFrenchLabels(BillingCommon):
    """docs/rules.md §8: the Québec front-desk vocabulary in French. fr.po serves fr_FR and fr_CA: for fr_CA Odoo
    loads fr.po, then fr_CA.po (the module has none)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("fr_FR", "fr_CA"):
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(["account_billing_operations"], ["fr_FR", "fr_CA"],
                                                         overwrite=True)
        groups = "account.group_account_invoice,account_billing_operations.group_billing_refund"
        cls.users = {lang: new_test_user(cls.env, login=f"billing_{lang}", groups=groups, lang=lang,
                                         company_id=cls.company.id, company_ids=[(6, 0, cls.company.ids)])
                     for lang in ("fr_FR", "fr_CA")}

    def as_user(self, lang):
        """The environment of a user whose preferred language is lang, as the web client opens it."""
        user = self.users[lang]
        return self.env(user=user, context=dict(user.with_user(user).context_get(),
                                                allowed_company_ids=self.company.ids))

    # ---- fr.po ------------------------------------------------------------------

    def test_po_complete_spec_vocabulary_placeholders(self):
        """Every message translated, §8 word for word, placeholders and markup kept."""
        pot = polib.pofile(file_path("account_billing_operations/i18n/account_billing_operations.pot"))
        po = {entry.msgid: entry.msgstr for entry in polib.pofile(file_path("account_billing_operations/i18n/fr.po"))}
        self.assertGreater(len(pot), 300)
        self.assertEqual([entry.msgid for entry in pot if not po.get(entry.msgid)], [])
        for english, french in SPEC_8.items():
            self.assertEqual(po[english], french)
        changed = [msgid for msgid, msgstr in po.items()
                   if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr))]
        self.assertEqual(changed, [])

    # ---- the screens, for a French and a Québec French user ---------------------------

    def test_wizard_labels_and_buttons(self):
        # Odoo's own French, as Odoo loads it: fr.po, then fr_CA.po for fr_CA (base and account).
        fr = {}
        for module in ("base", "account"):
            fr.update({entry.msgid: entry.msgstr for entry in polib.pofile(file_path(f"{module}/i18n/fr.po"))
                       if entry.msgstr})
        fr_ca = dict(fr, **{entry.msgid: entry.msgstr for entry in polib.pofile(file_path("account/i18n/fr_CA.po"))
                            if entry.msgstr})
        odoo_french = {"fr_FR": fr, "fr_CA": fr_ca}
        for lang in ("fr_FR", "fr_CA"):
            env = self.as_user(lang)
            with self.subTest(lang=lang):
                self.assertEqual(env.lang, lang)
                labels = env["account.billing.credit.wizard"].fields_get(["taxes_included", "amount_total"], ["string"])
                self.assertEqual(labels["taxes_included"]["string"], "Taxes : incluses")
                labels = env["account.billing.make.payment.wizard"].fields_get(
                    ["use_credit", "journal_id", "postdated"], ["string"])
                self.assertEqual(labels["use_credit"]["string"], "Utiliser le crédit au dossier")
                self.assertEqual(labels["journal_id"]["string"], "Mode de paiement")
                self.assertEqual(labels["postdated"]["string"], "Postdaté")
                arch = env["account.billing.credit.wizard"].get_views([(False, "form")])["views"]["form"]["arch"]
                self.assertIn('string="Créer le crédit"', arch)
                self.assertIn('placeholder="Pourquoi? (requis, conservé au dossier du client)"', arch)
                arch = env["res.partner"].get_views([(False, "form")])["views"]["form"]["arch"]
                for words in ("Dossier client", "Opérations", "Créer un crédit", "Créer une facture",
                              "Enregistrer un remboursement", "Annuler/rembourser des articles"):
                    self.assertIn(f'string="{words}"', arch)
                # The Billing tab's label is none of the labels Odoo's own tabs of the same form have in
                # French (Odoo's Invoicing tab is "Facturation"); only this module's terms are loaded
                # here, so Odoo's come from its own .po files.
                tabs = {page.get("name"): page.get("string") for page in etree.fromstring(arch).iter("page")}
                self.assertEqual(tabs["billing"], "Dossier client")
                odoo_labels = {odoo_french[lang].get(label) or label
                               for name, label in tabs.items() if name != "billing"}
                self.assertIn("Facturation", odoo_labels)
                self.assertNotIn(tabs["billing"], odoo_labels)
                labels = env["res.partner"].fields_get(["billing_balance", "billing_available_credit"], ["string"])
                self.assertEqual(labels["billing_available_credit"]["string"], "Crédit disponible")
                self.assertEqual(env["res.partner"]._billing_format_balance(-25.0, self.currency)[:9], "Créditeur")

    def test_error_messages(self):
        moves = self.count_moves()
        for lang in ("fr_FR", "fr_CA"):
            client = self.client.with_env(self.as_user(lang))
            with self.subTest(lang=lang):
                with self.assertRaisesRegex(UserError, r"^Le montant doit dépasser 0\.$"):
                    client.billing_create_credit(0, "Geste commercial")
                with self.assertRaisesRegex(UserError, r"Une note est requise pour un crédit : indiquez pourquoi"):
                    client.billing_create_credit(10, "")
                with self.assertRaisesRegex(UserError, r"n'a aucun crédit à rembourser \(solde : .*\)\. Créez "
                                                       r"d'abord un crédit \(le bouton « Créer un crédit »"):
                    client.billing_refund(10, self.cash_journal.id, "Départ")
        self.assertEqual(self.count_moves(), moves)
        self.assertEqual(self.env["account.payment"].search_count([("partner_id", "=", self.client.id)]), 0)
