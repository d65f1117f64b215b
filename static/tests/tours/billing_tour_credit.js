/** @odoo-module */

import { registry } from "@web/core/registry";

// R1 from the browser: client → Billing tab → Create a credit → the balance reads "Credit ...".
registry.category("web_tour.tours").add("account_billing_operations_credit", {
    steps: () => [
        {
            content: "Open the Billing tab",
            trigger: 'a[name="billing"]',
            run: "click",
        },
        {
            content: "Operations: Create a credit",
            trigger: 'button[name="action_billing_create_credit"]',
            run: "click",
        },
        {
            content: "Amount",
            trigger: '.modal div[name="amount"] input',
            run: "edit 115 && press Tab",
        },
        {
            content: "Taxes included",
            trigger: '.modal div[name="taxes_included"] input',
            run: "click",
        },
        {
            content: "The tax is carved out of the amount",
            trigger: '.modal div[name="amount_untaxed"]:contains("100.00")',
        },
        {
            content: "Note",
            trigger: '.modal div[name="note"] textarea',
            run: "edit Tour goodwill credit",
        },
        {
            content: "Create the credit",
            trigger: '.modal footer button[name="action_confirm"]:visible',
            run: "click",
        },
        {
            content: "The balance reads Credit 115.00",
            trigger: 'div[name="billing_balance_label"]:contains("Credit"):contains("115.00")',
        },
        {
            content: "The timeline shows the credit note",
            trigger: 'div[name="billing_timeline_ids"] td:contains("Tour goodwill credit")',
        },
    ],
});
