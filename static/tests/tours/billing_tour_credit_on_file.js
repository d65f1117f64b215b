/** @odoo-module */

import { registry } from "@web/core/registry";

// R7.5: the client has 40.00 of credit on file and an invoice of 115.00. Make a payment: the credit
// is pre-selected; unticked, 50.00 is paid in cash and the credit stays on file; then Make a payment
// again, the credit pre-selected and used: 40.00 applied, the 25.00 rest paid, the invoice is paid.
registry.category("web_tour.tours").add("account_billing_operations_credit_on_file", {
    steps: () => [
        {
            content: "Make a payment",
            trigger: 'button[name="action_billing_make_payment"]',
            run: "click",
        },
        {
            content: "The credit on file is offered, pre-selected",
            trigger: '.modal div[name="use_credit"] input:checked',
        },
        {
            content: "40.00 of credit applied, 75.00 to pay",
            trigger: '.modal div[name="credit_to_apply"]:contains("40.00")',
        },
        {
            content: "The rest to pay",
            trigger: '.modal div[name="amount"] input:value(75.00)',
        },
        {
            content: "Untick Use the credit on file",
            trigger: '.modal div[name="use_credit"] input',
            run: "click",
        },
        {
            content: "The whole amount due is proposed",
            trigger: '.modal div[name="amount"] input:value(115.00)',
        },
        {
            content: "Pay 50.00",
            trigger: '.modal div[name="amount"] input',
            run: "edit 50 && press Tab",
        },
        {
            content: "Make the payment",
            trigger: '.modal footer button[name="action_confirm"]:visible',
            run: "click",
        },
        {
            content: "Make a payment again",
            trigger: 'body:not(:has(.modal)) button[name="action_billing_make_payment"]',
            run: "click",
        },
        {
            content: "The credit is pre-selected again: 40.00 applied, 25.00 to pay",
            trigger: '.modal div[name="use_credit"] input:checked',
        },
        {
            content: "25.00 to pay",
            trigger: '.modal div[name="amount"] input:value(25.00)',
        },
        {
            content: "Make the payment",
            trigger: '.modal footer button[name="action_confirm"]:visible',
            run: "click",
        },
        {
            content: "The invoice is paid: nothing is due",
            trigger: 'body:not(:has(.modal)) .o_form_view:not(:has(button[name="action_billing_make_payment"])) .ribbon',
        },
    ],
});
