from odoo.tests import TransactionCase
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestFrenchLabels(TransactionCase):
    """SPEC §8: the Québec front-desk vocabulary in French (fr.po serves fr_CA and fr_FR)."""

    def test_french_labels(self):
        self.env["res.lang"]._activate_lang("fr_CA")
        self.env["ir.module.module"]._load_module_terms(["account_billing_operations"], ["fr_CA"], overwrite=True)
        fields_fr = self.env["res.partner"].with_context(lang="fr_CA").fields_get(
            ["billing_balance", "billing_available_credit"], ["string"])
        self.assertEqual(fields_fr["billing_balance"]["string"], "Solde actuel")
        self.assertEqual(fields_fr["billing_available_credit"]["string"], "Crédit disponible")
        partner = self.env["res.partner"].with_context(lang="fr_CA").create({"name": "Client francophone"})
        self.assertEqual(partner._billing_format_balance(-25.0, self.env.company.currency_id)[:9], "Créditeur")
