/** @odoo-module */

import { registry } from "@web/core/registry";

// R7.2: one invoice paid with two modes (bank, then cash): two payments, the invoice is paid.
registry.category("web_tour.tours").add("account_billing_operations_payment_two_modes", {
    steps: () => [
        {
            content: "Make a payment",
            trigger: 'button[name="action_billing_make_payment"]',
            run: "click",
        },
        {
            content: "The amount due is proposed",
            trigger: '.modal div[name="amount"] input:value(115.00)',
        },
        {
            content: "Pay 50.00 with the first mode (the bank)",
            trigger: '.modal div[name="amount"] input',
            run: "edit 50 && press Tab",
        },
        {
            content: "Left to pay after: 65.00",
            trigger: '.modal div[name="amount_left"]:contains("65.00")',
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
            content: "The rest is proposed",
            trigger: '.modal div[name="amount"] input:value(65.00)',
        },
        {
            content: "Second mode: cash",
            trigger: '.modal div[name="journal_id"] input',
            run: "edit Cash",
        },
        {
            content: "Pick the cash journal",
            trigger: '.modal div[name="journal_id"] .ui-autocomplete a:contains("Cash")',
            run: "click",
        },
        {
            content: "Payer",
            trigger: '.modal div[name="payer_name"] input',
            run: "edit Marie Tremblay",
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
