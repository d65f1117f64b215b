/** @odoo-module */

import { registry } from "@web/core/registry";

// R3: a client in credit → Billing tab → Record a refund → the balance rises, the refund is a row.
registry.category("web_tour.tours").add("account_billing_operations_record_refund", {
    steps: () => [
        {
            content: "Open the Billing tab",
            trigger: 'a[name="billing"]',
            run: "click",
        },
        {
            content: "The client is in credit",
            trigger: 'div[name="billing_balance_label"]:contains("Credit"):contains("115.00")',
        },
        {
            content: "Operations: Record a refund",
            trigger: 'button[name="action_billing_record_refund"]',
            run: "click",
        },
        {
            content: "The whole available credit is proposed",
            trigger: '.modal div[name="amount"] input:value(115.00)',
        },
        {
            content: "Refund 40.00",
            trigger: '.modal div[name="amount"] input',
            run: "edit 40 && press Tab",
        },
        {
            content: "The balance after the refund",
            trigger: '.modal div[name="balance_after_label"]:contains("Credit"):contains("75.00")',
        },
        {
            content: "Note",
            trigger: '.modal div[name="note"] textarea',
            run: "edit Tour: moving away, cash refund",
        },
        {
            content: "Record the refund",
            trigger: '.modal footer button[name="action_confirm"]:visible',
            run: "click",
        },
        {
            content: "The balance reads Credit 75.00",
            trigger: 'div[name="billing_balance_label"]:contains("Credit"):contains("75.00")',
        },
        {
            content: "The refund is a row of the timeline, pending settlement",
            trigger: 'div[name="billing_timeline_ids"] tr:contains("Tour: moving away"):contains("Pending settlement")',
        },
    ],
});
