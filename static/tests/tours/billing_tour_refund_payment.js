/** @odoo-module */

import { registry } from "@web/core/registry";

// R4 + R5: a cash payment → Refund from its timeline row → the refund, pending → Cancel refund the
// same day → cancelled, and the payment can be refunded in full again.
registry.category("web_tour.tours").add("account_billing_operations_refund_payment", {
    steps: () => [
        {
            content: "Open the Billing tab",
            trigger: 'a[name="billing"]',
            run: "click",
        },
        {
            content: "Refund on the payment's row",
            trigger: 'div[name="billing_timeline_ids"] tr:contains("Payment") button[name="action_refund"]',
            run: "click",
        },
        {
            content: "Refund 50.00 of the 115.00 paid",
            trigger: '.modal div[name="amount"] input',
            run: "edit 50 && press Tab",
        },
        {
            content: "Note",
            trigger: '.modal div[name="note"] textarea',
            run: "edit Tour: refund at the desk",
        },
        {
            content: "Refund",
            trigger: '.modal footer button[name="action_confirm"]:visible',
            run: "click",
        },
        {
            content: "The refund is pending settlement",
            trigger: 'div[name="billing_refund_state"] .badge:contains("Pending settlement")',
        },
        {
            content: "Cancel refund",
            trigger: 'button[name="action_billing_cancel_refund"]',
            run: "click",
        },
        {
            content: "Confirm",
            trigger: '.modal:contains("Cancel this refund?") footer button.btn-primary',
            run: "click",
        },
        {
            content: "The refund is cancelled",
            trigger: 'div[name="billing_refund_state"] .badge:contains("Cancelled")',
        },
    ],
});
