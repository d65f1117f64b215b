/** @odoo-module */

import { registry } from "@web/core/registry";

// R6: a paid invoice (100.00 + 15 %) → Cancel/refund items, the line, a 10 % penalty, refund the
// credit from the payment → the credit note; back on the invoice, the line is cancelled.
registry.category("web_tour.tours").add("account_billing_operations_cancel_items", {
    steps: () => [
        {
            content: "Cancel/refund items",
            trigger: 'button[name="action_billing_cancel_items"]',
            run: "click",
        },
        {
            content: "Tick the swimming line",
            trigger: '.modal div[name="line_ids"] tr:contains("Swimming") div[name="selected"] input',
            run: "click",
        },
        {
            content: "Base 115.00, taxes included",
            trigger: '.modal div[name="base_amount"]:contains("115.00")',
        },
        {
            content: "Penalty: a percentage",
            trigger: '.modal div[name="penalty_type"] input[data-value="percent"]',
            run: "click",
        },
        {
            content: "10 %",
            trigger: '.modal div[name="penalty_value"] input',
            run: "edit 10 && press Tab",
        },
        {
            content: "Penalty 11.50, credit 103.50",
            trigger: '.modal div[name="credit_amount"]:contains("103.50")',
        },
        {
            content: "Refund the credit",
            trigger: '.modal div[name="refund_amount"] input',
            run: "edit 103.50 && press Tab",
        },
        {
            content: "Refund from the payment",
            trigger: '.modal div[name="refund_payment_id"] input',
            run: "click",
        },
        {
            content: "The invoice's payment",
            trigger: '.modal div[name="refund_payment_id"] .ui-autocomplete li a:contains("/")',
            run: "click",
        },
        {
            content: "Note",
            trigger: '.modal div[name="note"] textarea',
            run: "edit Tour: session cancelled by the client",
        },
        {
            content: "Cancel the items",
            trigger: '.modal footer button[name="action_confirm"]:visible',
            run: "click",
        },
        {
            content: "The credit note is open, with its penalty line",
            trigger: 'body:not(:has(.modal)) div[name="invoice_line_ids"] tr:contains("Cancellation fee")',
        },
        {
            content: "Back to the invoice",
            trigger: ".o_breadcrumb .breadcrumb-item:last-child a",
            run: "click",
        },
        {
            content: "The line is shown as cancelled",
            trigger: 'div[name="invoice_line_ids"] tr:contains("Swimming") .badge:contains("Cancelled")',
        },
    ],
});
