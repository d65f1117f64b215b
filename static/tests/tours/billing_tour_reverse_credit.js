/** @odoo-module */

import { registry } from "@web/core/registry";

// R2.4: a credit note → Reverse an erroneous credit → the Create an invoice form, prefilled → the
// credit shows the invoice that reverses it.
registry.category("web_tour.tours").add("account_billing_operations_reverse_credit", {
    steps: () => [
        {
            content: "Reverse an erroneous credit",
            trigger: 'button[name="action_billing_reverse_credit"]',
            run: "click",
        },
        {
            content: "The invoice is prefilled with the credit's total, taxes included",
            trigger: '.modal div[name="amount_total"]:contains("115.00")',
        },
        {
            content: "The credit it reverses is chosen",
            trigger: ".modal div[name=\"reversed_credit_id\"] input",
        },
        {
            content: "Note",
            trigger: '.modal div[name="note"] textarea',
            run: "edit Tour: credit given by mistake",
        },
        {
            content: "Create the invoice",
            trigger: '.modal footer button[name="action_confirm"]:visible',
            run: "click",
        },
        {
            content: "The credit shows the invoice that reverses it",
            trigger: 'div[name="billing_reversal_move_ids"] .o_tag:contains("INV/")',
        },
    ],
});
