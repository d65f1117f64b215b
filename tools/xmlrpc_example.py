"""The public API of docs/rules.md §6 over XML-RPC, against `make run` (database billing_demo, admin / admin).

usage: python3 tools/xmlrpc_example.py [--url http://127.0.0.1:8069] [--db billing_demo]
                                       [--login admin] [--password admin]

Only the Python standard library: any integration can do the same. Each run works on a new client.
"""
import argparse
import os
import uuid
import xmlrpc.client


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('HTTP_PORT', '8069')}")
    parser.add_argument("--db", default="billing_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    args = parser.parse_args()

    common = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/common")
    uid = common.authenticate(args.db, args.login, args.password, {})
    models = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *params, **kwargs):
        return models.execute_kw(args.db, uid, args.password, model, method, list(params), kwargs)

    def balance(partner_id):
        [partner] = call("res.partner", "read", [partner_id],
                         ["billing_balance", "billing_available_credit", "billing_scheduled_amount"])
        return {key: partner[key] for key in ("billing_balance", "billing_available_credit",
                                              "billing_scheduled_amount")}

    client_id = call("res.partner", "create", {"name": f"Centre récréatif XML-RPC {uuid.uuid4().hex[:6]}",
                                               "is_company": True})
    [cash_journal_id] = call("account.journal", "search", [("type", "=", "cash")], limit=1)
    print(f"client {client_id}, cash journal {cash_journal_id}")

    # R1 Create a credit: 57.49 taxes included; the same idempotency key twice creates one credit.
    key = f"credit-{uuid.uuid4()}"
    credit_id = call("res.partner", "billing_create_credit", [client_id], 57.49, "Pool closed two weeks",
                     taxes_included=True, idempotency_key=key)
    again = call("res.partner", "billing_create_credit", [client_id], 57.49, "Pool closed two weeks",
                 taxes_included=True, idempotency_key=key)
    [credit] = call("account.move", "read", [credit_id], ["name", "amount_untaxed", "amount_tax", "amount_total"])
    print(f"credit {credit['name']}: untaxed {credit['amount_untaxed']}, tax {credit['amount_tax']}, "
          f"total {credit['amount_total']} (retried with the same key: same id {again == credit_id})")
    print("balance:", balance(client_id))

    # R2 Create an invoice that reverses 11.50 of the credit (reconciled with it).
    charge_id = call("res.partner", "billing_create_charge", [client_id], 11.50, "Part of the credit given by mistake",
                     taxes_included=True, reversed_credit_id=credit_id)
    print(f"invoice {charge_id} reverses credit {credit_id}; balance:", balance(client_id))

    # R3 Record a refund of 20.00 in cash, then R5 cancel it the same day.
    refund_id = call("res.partner", "billing_refund", [client_id], 20.0, cash_journal_id, "Moving away")
    [refund] = call("account.payment", "read", [refund_id], ["name", "amount", "billing_refund_state"])
    print(f"refund {refund['name']} {refund['amount']} {refund['billing_refund_state']}; balance:",
          balance(client_id))
    call("account.payment", "billing_cancel_refund", [refund_id], note="Entered by mistake")
    [refund] = call("account.payment", "read", [refund_id], ["billing_refund_state"])
    print(f"refund cancelled: {refund['billing_refund_state']}; balance:", balance(client_id))

    # R7 Make a payment on a 100.00 invoice: the credit on file first, the rest in cash.
    rest = round(100.0 - balance(client_id)["billing_available_credit"], 2)
    invoice_id = call("res.partner", "billing_create_charge", [client_id], 100.0, "Day camp", taxes_included=True)
    result = call("account.move", "billing_make_payment", [invoice_id], rest, cash_journal_id,
                  use_credit=True, payer_name="Marie Tremblay", payer_reference="cash")
    print("make a payment:", result, "; balance:", balance(client_id))

    # The timeline of §3, newest first, with its running balance.
    for row in call("account.billing.timeline", "search_read", [("partner_id", "=", client_id)],
                    ["date", "kind", "reference", "state", "amount", "running_balance"]):
        print(f"  {row['date']} {row['kind']:<9} {row['reference']:<22} {row['state']:<10} "
              f"{row['amount']:>8.2f} {row['running_balance']:>8.2f}")

    # A refusal: a clear message, nothing written.
    try:
        call("res.partner", "billing_create_credit", [client_id], "ten", "Bad input")
    except xmlrpc.client.Fault as fault:
        print("refused:", fault.faultString.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
