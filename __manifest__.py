{
    "name": "Billing Operations",
    "summary": "Manual billing operations on a client's account: credits, charges, "
    "refunds, cancellations with penalty, payments with several modes, postdated "
    "cheques and credit on file.",
    "version": "18.0.1.2.0",
    "category": "Accounting/Accounting",
    "author": "account_billing_operations developers",
    "website": "https://example.com/account_billing_operations",
    "license": "LGPL-3",
    "depends": ["account", "account_payment"],
    # Load order: security, data, views, wizards, reports (the statement's mail template attaches the
    # report, so it comes after it).
    "data": [
        "security/account_billing_operations_security.xml",
        "security/ir.model.access.csv",
        "data/product_data.xml",
        "data/res_company_data.xml",
        "data/ir_cron_data.xml",
        "views/res_partner_views.xml",
        "views/account_move_views.xml",
        "views/account_payment_views.xml",
        "views/account_billing_timeline_views.xml",
        "views/res_config_settings_views.xml",
        "views/portal_templates.xml",
        "wizards/account_billing_credit_wizard_views.xml",
        "wizards/account_billing_bulk_credit_wizard_views.xml",
        "wizards/account_billing_record_refund_wizard_views.xml",
        "wizards/account_billing_refund_payment_wizard_views.xml",
        "wizards/account_billing_make_payment_wizard_views.xml",
        "wizards/account_billing_cancel_items_wizard_views.xml",
        "wizards/account_billing_statement_wizard_views.xml",
        "report/billing_statement_report.xml",
        "data/mail_template_billing_statement.xml",
    ],
    "demo": [
        "demo/billing_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "account_billing_operations/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
