import re

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.http import content_disposition
from odoo.http import request

STATEMENT_REPORT = "account_billing_operations.action_report_billing_statement"


class BillingPortal(CustomerPortal):
    """/my/billing (docs/rules.md §3): a client's portal user sees the balance, the timeline and downloads the
    statement of their own commercial partner, in the current company, and nothing else.

    The figures are not readable by portal users through the ORM (docs/rules.md §5): they are read here as
    superuser, for one client only, the logged-in user's commercial partner, never one taken from
    the request; every read below names that client and the company explicitly."""

    def _billing_portal_client(self):
        """The logged-in user's commercial partner (superuser, current company)."""
        company = request.env.company
        return request.env.user.partner_id.commercial_partner_id.sudo().with_company(company)

    def _prepare_home_portal_values(self, counters):
        """The portal home's Billing card shows the client's balance (§3)."""
        values = super()._prepare_home_portal_values(counters)
        if not counters:  # the portal home page: the balance on the Billing card
            values["billing_balance_label"] = self._billing_portal_client().billing_balance_label
        return values

    @http.route(["/my/billing", "/my/billing/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_billing(self, page=1, **kw):
        client = self._billing_portal_client()
        Timeline = request.env["account.billing.timeline"].sudo().with_company(client.env.company)
        domain = [("partner_id", "=", client.id), ("company_id", "=", client.env.company.id)]
        pager = portal_pager(url="/my/billing", total=Timeline.search_count(domain), page=page,
                             step=self._items_per_page)
        rows = Timeline.search(domain, order="date desc, id desc", limit=self._items_per_page,
                               offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update({
            "page_name": "billing",
            "billing_client": client,
            "billing_rows": rows,
            "pager": pager,
            "statement_url": f"/my/billing/statement/{client.id}",
        })
        return request.render("account_billing_operations.portal_my_billing", values)

    @http.route(["/my/billing/statement/<int:partner_id>"], type="http", auth="user", website=True)
    def portal_my_billing_statement(self, partner_id, report_type="pdf", **kw):
        """The statement of the user's own client; any other id is not found (404)."""
        client = self._billing_portal_client()
        if partner_id != client.id or report_type not in ("pdf", "html"):
            raise NotFound()
        report = request.env["ir.actions.report"].sudo().with_company(client.env.company)
        method = report._render_qweb_pdf if report_type == "pdf" else report._render_qweb_html
        content, _content_type = method(STATEMENT_REPORT, client.ids)
        filename = re.sub(r"\W+", "_", request.env._("Statement %(client)s", client=client.name)) + ".pdf"
        headers = [
            ("Content-Type", "application/pdf" if report_type == "pdf" else "text/html"),
            ("Content-Length", len(content)),
        ]
        if report_type == "pdf":
            headers.append(("Content-Disposition", content_disposition(filename, disposition_type="attachment")))
        return request.make_response(content, headers=headers)
