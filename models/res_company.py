from datetime import datetime
from datetime import time

import pytz

from odoo import api
from odoo import fields
from odoo import models
from odoo.addons.base.models.res_partner import _tz_get
from odoo.exceptions import ValidationError

from . import billing_tools


class ResCompany(models.Model):
    _inherit = "res.company"

    billing_credit_product_id = fields.Many2one(
        "product.product", string="Billing credit product",
        help="Product of the single line of the credits and charges made from a client's "
        "Operations menu: its income account and its taxes are used.",
    )
    billing_penalty_product_id = fields.Many2one(
        "product.product", string="Cancellation fee product",
        help="Product of the penalty line when invoice items are cancelled (its own income account).",
    )
    billing_settlement_cutoff = fields.Float(
        string="Refund settlement cut-off", default=23.0 + 59.0 / 60.0,
        help="Time of day (in the settlement time zone) at which the day's refunds are settled: card "
        "refunds are sent to the payment provider and can no longer be cancelled.",
    )
    billing_settlement_tz = fields.Selection(
        _tz_get, string="Settlement time zone",
        help="Time zone of the refund settlement cut-off. Empty: the time zone of the company's "
        "address (its contact), else UTC.",
    )
    billing_refund_journal_id = fields.Many2one(
        "account.journal", string="Default refund journal", check_company=True,
        domain="[('type', 'in', ('bank', 'cash'))]",
        help="The bank or cash journal proposed for the refunds of a client's credit (Record a refund) and "
        "for the refunds of Cancel/refund items made without a payment. Empty: the first bank, then cash, "
        "journal with an offline outgoing payment method.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        """A new company gets the billing settings' defaults (products, cut-off) as installed ones do."""
        companies = super().create(vals_list)
        companies._billing_set_default_settings()
        return companies

    @api.constrains("billing_settlement_cutoff")
    def _check_billing_settlement_cutoff(self):
        for company in self:
            if not 0.0 <= company.billing_settlement_cutoff < 24.0:
                raise ValidationError(self.env._(
                    "The refund settlement cut-off is a time of day, between 00:00 and 23:59."))

    @api.constrains("billing_refund_journal_id")
    def _check_billing_refund_journal(self):
        for company in self:
            # Read as superuser: another company's journal is refused by name, not with an access error
            # (res.company has no automatic company check, and settings are also written over RPC).
            journal = company.sudo().billing_refund_journal_id
            billing_tools.check_company(self.env, journal, company, self.env._("The default refund journal"))
            if journal and (journal.type not in ("bank", "cash")
                            or not journal._billing_offline_method_lines("outbound")):
                raise ValidationError(self.env._(
                    "The default refund journal %(journal)s must be a bank or cash journal with an offline "
                    "outgoing payment method (for example Manual, in its Outgoing Payments tab).",
                    journal=journal.display_name))

    # -------------------------------------------------------------------------
    # SETTINGS: defaults of every company (at install, at creation, when its chart is loaded)
    # -------------------------------------------------------------------------

    def _billing_set_default_settings(self):
        """Fill the billing settings a company does not have yet: the module's credit and
        cancellation-fee products, the cut-off (23:59) and the refund journal once the company has
        journals. The time zone stays empty: the company's address decides (R5.4)."""
        credit = self._billing_default_product("product_billing_credit")
        penalty = self._billing_default_product("product_billing_penalty")
        for company in self.sudo():
            values = {}
            if not company.billing_credit_product_id and credit:
                values["billing_credit_product_id"] = credit.id
            if not company.billing_penalty_product_id and penalty:
                values["billing_penalty_product_id"] = penalty.id
            if not company.billing_refund_journal_id:
                journal = company._billing_pick_refund_journal()
                if journal:
                    values["billing_refund_journal_id"] = journal.id
            if values:
                company.write(values)

    @api.model
    def _billing_init_settings(self):
        """At install: every existing company gets the defaults."""
        self.sudo().search([])._billing_set_default_settings()

    def _billing_pick_refund_journal(self):
        """The first bank (then cash) journal of the company with an offline outgoing method."""
        self.ensure_one()
        Journal = self.env["account.journal"]
        journals = Journal.search([*Journal._check_company_domain(self), ("type", "in", ("bank", "cash"))],
                                  order="type, sequence, id")
        return journals.filtered(lambda journal: journal._billing_offline_method_lines("outbound"))[:1]

    def _billing_refund_journal(self):
        """The journal proposed for an offline refund: the setting, else the first usable one."""
        self.ensure_one()
        # A journal of another company (saved before the setting was checked) is never proposed: the
        # button would refuse it, and a user of this company only could not even open the form.
        journal = self.sudo().billing_refund_journal_id
        if journal and journal.active and journal.company_id in self.parent_ids \
                and journal._billing_offline_method_lines("outbound"):
            return journal.with_env(self.env)
        return self._billing_pick_refund_journal()

    # -------------------------------------------------------------------------
    # SETTLEMENT CUT-OFF (R5)
    # -------------------------------------------------------------------------

    def _billing_tz(self):
        """The company's settlement time zone: its setting, else its contact's, else UTC (never the
        time zone of the user who happens to be working)."""
        self.ensure_one()
        name = self.billing_settlement_tz or self.partner_id.tz or "UTC"
        try:
            return pytz.timezone(name)
        except pytz.UnknownTimeZoneError:
            return pytz.utc

    def _billing_local_datetime(self, value):
        """A naive UTC datetime (as stored) in the company time zone."""
        self.ensure_one()
        return pytz.utc.localize(value).astimezone(self._billing_tz())

    def _billing_today(self):
        """The company's day (docs/rules.md §5): the date of every billing document (credit, invoice,
        payment, refund, cancellation), of the scheduled payments due and of the statement, whoever calls
        and whatever their own time zone."""
        self.ensure_one()
        return self._billing_local_datetime(fields.Datetime.now()).date()

    def _billing_cutoff_local(self, day):
        """The settlement cut-off of ``day``, an aware datetime in the company time zone, with the
        offset of that day (daylight-saving time included); a cut-off in the hour skipped in spring
        or repeated in autumn is read in standard time."""
        self.ensure_one()
        tz = self._billing_tz()
        minutes = round(self.billing_settlement_cutoff * 60)
        moment = datetime.combine(day, time(min(minutes // 60, 23), minutes % 60))
        return tz.normalize(tz.localize(moment, is_dst=False))

    @api.model
    def _billing_default_product(self, xmlid):
        return self.env.ref(f"account_billing_operations.{xmlid}", raise_if_not_found=False) \
            or self.env["product.product"]

    def _billing_credit_product(self):
        self.ensure_one()
        return self.billing_credit_product_id or self._billing_default_product("product_billing_credit")

    def _billing_penalty_product(self):
        self.ensure_one()
        return self.billing_penalty_product_id or self._billing_default_product("product_billing_penalty")
