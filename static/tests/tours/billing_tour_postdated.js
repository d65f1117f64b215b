/** @odoo-module */

import { registry } from "@web/core/registry";

const { DateTime } = luxon;

// R7.4: a postdated cheque → Make a payment, Postdated, a date next week → the invoice shows it as
// scheduled, not paid.
registry.category("web_tour.tours").add("account_billing_operations_postdated", {
    steps: () => [
        {
            content: "Make a payment",
            trigger: 'button[name="action_billing_make_payment"]',
            run: "click",
        },
        {
            content: "Postdated",
            trigger: '.modal div[name="postdated"] input',
            run: "click",
        },
        {
            content: "The payment date, next week",
            trigger: '.modal div[name="postdated_date"] input',
            run: `edit ${DateTime.now().plus({ days: 7 }).toFormat("MM/dd/yyyy")}`,
        },
        {
            content: "Cheque number",
            trigger: '.modal div[name="payer_reference"] input',
            run: "edit Cheque 123, Desjardins",
        },
        {
            content: "Schedule the payment",
            trigger: '.modal footer button[name="action_confirm"]:visible:contains("Schedule the payment")',
            run: "click",
        },
        {
            content: "The invoice shows the scheduled payment",
            trigger: 'body:not(:has(.modal)) div[name="billing_scheduled_label"]:contains("115.00")',
        },
    ],
});
