#!/usr/bin/env python3
"""Install, update and uninstall on a database with years of history (make test-lifecycle).

1. A database with account, account_payment, payment_demo and their demo data, plus three years of
   customer invoices, credit notes (Odoo's reversal) and payments (Register Payment, full and partial).
2. The module is installed (-i), then updated (-u): after each, Odoo's own documents are as they
   were (a hash of their journal items, reconciliation, amounts and states).
3. The module's documents are made (a credit, an invoice reversing part of it, a refund, a
   Cancel/refund items credit note, a payment and a postdated payment), then the module is
   uninstalled (button_immediate_uninstall): the old documents are still as they were; the module's
   documents are still valid Odoo documents (posted, balanced, reconciled as before); every field
   of account.move, account.move.line and account.payment can be read and their form views load;
   Odoo's own operations work (post an invoice, Register Payment, reverse a move).
The last line is ``lifecycle: N passed, N failed``.

Usage: tools/lifecycle.py [--db billing_lifecycle] [--years 3] [--per-month 6]
"""
import argparse
import contextlib
import json
import os
import subprocess
import sys
import time

from project_python import DEV
from project_python import use_project_python

MODULE = "account_billing_operations"

psycopg2 = use_project_python()

HISTORY = """
import random
from datetime import date, timedelta
from odoo import Command
random.seed(13)
company = env.company
partners = env['res.partner'].create([{'name': 'History client %s' % index} for index in range(12)])
product = env['product.product'].create({'name': 'History course', 'type': 'service', 'list_price': 80.0})
tax = env['account.tax'].search([('company_id', '=', company.id), ('type_tax_use', '=', 'sale'),
                                 ('amount_type', '=', 'percent')], limit=1)
journals = env['account.journal'].search([('company_id', '=', company.id), ('type', 'in', ('bank', 'cash'))])
start = date.today().replace(day=1) - timedelta(days=365 * YEARS)
counts = {'invoices': 0, 'credit_notes': 0, 'payments': 0}
for month in range(12 * YEARS):
    day = start + timedelta(days=30 * month + 3)
    vals = []
    for index in range(PER_MONTH):
        vals.append({
            'move_type': 'out_invoice', 'partner_id': random.choice(partners).id, 'invoice_date': day,
            'invoice_line_ids': [Command.create({
                'product_id': product.id, 'quantity': random.randint(1, 3),
                'price_unit': random.choice([40.0, 80.0, 125.5]),
                'tax_ids': [Command.set(tax.ids if index % 2 else [])]})],
        })
    moves = env['account.move'].create(vals)
    moves.action_post()
    counts['invoices'] += len(moves)
    for index, move in enumerate(moves):
        if index % 3 == 0:
            amount = move.amount_total if index % 2 == 0 else round(move.amount_total / 2, 2)
            env['account.payment.register'].with_context(active_model='account.move', active_ids=move.ids).create({
                'journal_id': journals[index % len(journals)].id, 'payment_date': day + timedelta(days=5),
                'amount': amount}).action_create_payments()
            counts['payments'] += 1
        elif index % 5 == 1:
            reversal = env['account.move.reversal'].with_context(
                active_model='account.move', active_ids=move.ids).create({
                'reason': 'history credit note', 'journal_id': move.journal_id.id, 'date': day + timedelta(days=2)})
            reversal.refund_moves()
            credit = move.reversal_move_ids[-1:]
            if credit.state == 'draft':
                credit.action_post()
            counts['credit_notes'] += 1
env.cr.commit()
print('LC ' + json.dumps(counts))
"""

BILLING_DOCS = """
from datetime import timedelta
from odoo import Command, fields
company = env.company
client = env['res.partner'].create({'name': 'Lifecycle billing client'})
bank = env['account.journal'].search([('company_id', '=', company.id), ('type', '=', 'bank')], limit=1)
cash = env['account.journal'].search([('company_id', '=', company.id), ('type', '=', 'cash')], limit=1)
product = env['product.product'].search([('name', '=', 'History course')], limit=1)
docs = {}
docs['credit'] = client.billing_create_credit(120.0, 'Lifecycle credit')
docs['charge'] = client.billing_create_charge(20.0, 'Lifecycle charge', reversed_credit_id=docs['credit'])
docs['refund'] = env['account.payment'].browse(client.billing_refund(30.0, bank.id, 'Lifecycle refund')).id
def new_invoice(qty=2):
    move = env['account.move'].create({'move_type': 'out_invoice', 'partner_id': client.id, 'invoice_line_ids': [
        Command.create({'product_id': product.id, 'quantity': qty, 'price_unit': 50.0, 'tax_ids': [Command.clear()]})]})
    move.action_post()
    return move
invoice = new_invoice()
docs['invoice'] = invoice.id
paid = invoice.billing_make_payment(40.0, cash.id, payer_name='Lifecycle payer', payer_reference='cheque 12')
docs['payment'] = paid['payment_id']
docs['payment_refund'] = env['account.payment'].browse(docs['payment']).billing_refund(10.0, 'Lifecycle payment refund')
result = invoice.billing_cancel_items([[invoice.invoice_line_ids[0].id, 1]], penalty_type='amount', penalty_value=5.0,
                                      note='Lifecycle cancellation')
docs['cancellation'] = result['credit_note_id']
other = new_invoice(1)
docs['postdated_invoice'] = other.id
later = fields.Date.today() + timedelta(days=10)
docs['postdated'] = other.billing_make_payment(30.0, cash.id, postdated_date=later)['payment_id']
docs['client'] = client.id
env['account.payment'].browse([docs['refund'], docs['payment_refund']])._billing_settle()
env.cr.commit()
print('LC ' + json.dumps(docs))
"""

UNINSTALL = """
env['ir.module.module'].search([('name', '=', 'account_billing_operations')]).button_immediate_uninstall()
env.cr.commit()
module = env['ir.module.module'].search([('name', '=', 'account_billing_operations')])
print('LC ' + json.dumps({'state': module.state}))
"""

AFTER_UNINSTALL = """
from odoo import Command
from odoo.tests import Form
docs = DOCS
out = {'errors': []}
def attempt(name, func):
    try:
        with env.cr.savepoint():
            return func()
    except Exception as error:
        out['errors'].append('%s: %r' % (name, error))
moves = env['account.move'].browse([docs[k] for k in
                                    ('credit', 'charge', 'cancellation', 'invoice', 'postdated_invoice')])
payments = env['account.payment'].browse([docs[k] for k in ('refund', 'payment', 'payment_refund', 'postdated')])
sample_moves = moves | env['account.move'].search([], limit=200, order='id desc')
sample_moves |= env['account.move'].search([], limit=50)
sample_payments = payments | env['account.payment'].search([], limit=100)
for model, records in (('account.move', sample_moves), ('account.move.line', sample_moves.line_ids),
                       ('account.payment', sample_payments), ('res.partner', moves.partner_id)):
    attempt('read all fields of %s' % model, lambda: records.read(list(env[model]._fields)))
    attempt('form view of %s' % model, lambda: env[model].get_views([(False, 'form'), (False, 'list')]))
attempt('open an invoice in its form', lambda: Form(moves[3]))
attempt('open a billing credit in its form', lambda: Form(moves[0]))
attempt('open a payment in its form', lambda: Form(payments[1]))
attempt('open a refund in its form', lambda: Form(payments[0]))
out['moves'] = {move.id: [move.state, move.move_type, move.payment_state, move.amount_total, move.amount_residual]
                for move in moves}
out['payments'] = {pay.id: [pay.state, pay.payment_type, pay.amount, pay.is_reconciled] for pay in payments}
# Odoo's own operations still work.
client = env['res.partner'].browse(docs['client'])
product = env['product.product'].search([('name', '=', 'History course')], limit=1)
def odoo_operations():
    move = env['account.move'].create({'move_type': 'out_invoice', 'partner_id': client.id, 'invoice_line_ids': [
        Command.create({'product_id': product.id, 'quantity': 1, 'price_unit': 70.0, 'tax_ids': [Command.clear()]})]})
    move.action_post()
    env['account.payment.register'].with_context(active_model='account.move', active_ids=move.ids).create(
        {}).action_create_payments()
    paid = move.payment_state
    reversal = env['account.move.reversal'].with_context(active_model='account.move', active_ids=moves[3].ids).create(
        {'reason': 'after uninstall', 'journal_id': moves[3].journal_id.id})
    reversal.refund_moves()
    credit_note = reversal.new_move_ids  # the invoice has other credit notes (Cancel/refund items)
    credit_note.action_post()
    moves[0].button_draft()   # a former billing credit is an ordinary credit note now
    moves[0].action_post()
    env['account.payment'].browse(docs['postdated']).action_post()
    return {'invoice': move.state, 'paid': paid, 'reversal': credit_note.state,
            'credit_note_amount': credit_note.amount_total}
out['odoo_operations'] = attempt('Odoo operations after uninstall', odoo_operations)
env.cr.commit()
print('LC ' + json.dumps(out, default=str))
"""


@contextlib.contextmanager
def pg(db):
    """A connection to ``db``, committed and closed at the end (psycopg2's own ``with`` leaves it
    open, and an open connection makes the final dropdb fail)."""
    conn = psycopg2.connect(dbname=db, host=os.environ.get("PGHOST", "127.0.0.1"),
                            port=os.environ.get("PGPORT", "5433"), user=os.environ.get("PGUSER", "odoo"),
                            password=os.environ.get("PGPASSWORD", "odoo"))
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def snapshot(db, max_move_id=None, move_ids=None):
    """Hashes of Odoo's own view of the documents: journal items, moves, payments, reconciliation."""
    where = "m.id <= %(max)s" if max_move_id else "m.id = ANY(%(ids)s)"
    params = {"max": max_move_id, "ids": list(move_ids or [])}
    queries = {
        "journal items": f"""SELECT md5(string_agg(concat_ws('|', l.id, l.move_id, l.account_id, l.partner_id,
                                  l.debit, l.credit, l.balance, l.amount_currency, l.amount_residual,
                                  l.amount_residual_currency, l.reconciled, l.full_reconcile_id, l.date,
                                  l.tax_line_id, l.quantity, l.price_unit, l.display_type), ',' ORDER BY l.id)),
                                  count(*)
                             FROM account_move_line l JOIN account_move m ON m.id = l.move_id WHERE {where}""",
        "moves": f"""SELECT md5(string_agg(concat_ws('|', m.id, m.name, m.state, m.move_type, m.amount_total,
                            m.amount_residual, m.payment_state, m.partner_id, m.date, m.reversed_entry_id),
                            ',' ORDER BY m.id)), count(*) FROM account_move m WHERE {where}""",
        "payments": f"""SELECT md5(string_agg(concat_ws('|', p.id, p.state, p.amount, p.payment_type, p.partner_id,
                               p.is_reconciled, p.is_matched, p.journal_id), ',' ORDER BY p.id)), count(*)
                          FROM account_payment p JOIN account_move m ON m.id = p.move_id WHERE {where}""",
        "reconciliation": f"""SELECT md5(string_agg(concat_ws('|', pr.id, pr.debit_move_id, pr.credit_move_id,
                                     pr.amount, pr.full_reconcile_id), ',' ORDER BY pr.id)), count(*)
                                FROM account_partial_reconcile pr JOIN account_move_line l ON l.id = pr.debit_move_id
                                JOIN account_move m ON m.id = l.move_id WHERE {where}""",
    }
    with pg(db) as conn, conn.cursor() as cr:
        result = {}
        for name, query in queries.items():
            cr.execute(query, params)
            result[name] = cr.fetchone()
        return result


def unbalanced(db, move_ids):
    with pg(db) as conn, conn.cursor() as cr:
        cr.execute("""SELECT move_id FROM account_move_line WHERE move_id = ANY(%s) GROUP BY move_id
                      HAVING abs(sum(balance)) > 0.0001 OR abs(sum(debit) - sum(credit)) > 0.0001""", (move_ids,))
        return [row[0] for row in cr.fetchall()]


def shell(db, code, **values):
    for name, value in values.items():
        code = code.replace(name, json.dumps(value) if not isinstance(value, int) else str(value))
    code = "import json\n" + code
    out = subprocess.run([DEV, "odoo", "shell", "-d", db, "--no-http", "--log-level=warn"], input=code,
                         capture_output=True, text=True, check=False)
    for line in out.stdout.splitlines():
        if line.startswith("LC "):
            return json.loads(line[3:])
    raise SystemExit(f"odoo shell failed:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")


def odoo(db, *args):
    started = time.time()
    out = subprocess.run([DEV, "odoo", "-d", db, *args, "--stop-after-init", "--log-level=warn", "--no-http"],
                         capture_output=True, text=True, check=False)
    errors = [line for line in (out.stdout + out.stderr).splitlines() if " ERROR " in line or " CRITICAL " in line]
    return out.returncode, errors, time.time() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="billing_lifecycle")
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--per-month", type=int, default=6)
    args = parser.parse_args()
    for name, default in (("PGHOST", "127.0.0.1"), ("PGPORT", "5433"), ("PGUSER", "odoo"), ("PGPASSWORD", "odoo")):
        os.environ.setdefault(name, default)
    started = time.time()
    passed, failed = 0, []

    def check(ok, name):
        nonlocal passed
        print(f"  {'ok' if ok else 'FAILED'}: {name}", flush=True)
        if ok:
            passed += 1
        else:
            failed.append(name)

    db = args.db
    subprocess.run([DEV, "setup"], check=True)
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    rc, errors, seconds = odoo(db, "-i", "account,account_payment,payment_demo")
    check(rc == 0 and not errors, f"Odoo with account and demo data ({seconds:.0f}s) {errors[:3]}")
    history = shell(db, HISTORY, YEARS=args.years, PER_MONTH=args.per_month)
    with pg(db) as conn, conn.cursor() as cr:
        cr.execute("SELECT max(id), count(*) FROM account_move")
        max_move, count = cr.fetchone()
    print(f"history: {history}, {count} journal entries", flush=True)
    before = snapshot(db, max_move)
    rc, errors, seconds = odoo(db, "-i", MODULE)
    check(rc == 0 and not errors, f"install the module ({seconds:.0f}s) {errors[:3]}")
    after_install = snapshot(db, max_move)
    for name in before:
        check(after_install[name] == before[name], f"install: Odoo's {name} unchanged ({before[name][1]} rows)")
    rc, errors, seconds = odoo(db, "-u", MODULE)
    check(rc == 0 and not errors, f"update the module (-u, {seconds:.0f}s) {errors[:3]}")
    after_update = snapshot(db, max_move)
    for name in before:
        check(after_update[name] == before[name], f"update: Odoo's {name} unchanged")
    docs = shell(db, BILLING_DOCS)
    with pg(db) as conn, conn.cursor() as cr:
        cr.execute("SELECT id FROM account_move WHERE id > %s", (max_move,))
        new_moves = [row[0] for row in cr.fetchall()]
    billing_before = snapshot(db, move_ids=new_moves)
    print(f"billing documents: {docs}", flush=True)
    out = shell(db, UNINSTALL)
    check(out.get("state") == "uninstalled", f"uninstall the module (button_immediate_uninstall): {out}")
    check(snapshot(db, max_move) == before, "uninstall: Odoo's own documents unchanged")
    billing_after = snapshot(db, move_ids=new_moves)
    for name in billing_before:
        check(billing_after[name] == billing_before[name],
              f"uninstall: the module's documents' {name} as before ({billing_before[name][1]} rows)")
    check(not unbalanced(db, new_moves), "uninstall: the module's documents are balanced")
    with pg(db) as conn, conn.cursor() as cr:
        cr.execute("""SELECT table_name, column_name FROM information_schema.columns
                       WHERE table_name IN ('account_move', 'account_move_line', 'account_payment', 'res_partner',
                                            'res_company') AND column_name LIKE 'billing%%'""")
        leftovers = cr.fetchall()
        cr.execute("SELECT model, name FROM ir_model_fields WHERE name LIKE 'billing%%'")
        fields = cr.fetchall()
    check(not fields, f"uninstall: no field of the module left in the registry {fields[:5]}")
    print(f"  (columns left in the tables, unused by Odoo: {len(leftovers)})")
    result = shell(db, AFTER_UNINSTALL, DOCS=docs)
    check(not result["errors"],
          f"uninstall: all fields readable, forms open, Odoo's operations work {result['errors']}")
    states = result["moves"]
    check(all(row[0] == "posted" for row in states.values()),
          f"uninstall: the module's credit, charge, cancellation and invoices still posted {states}")
    pays = result["payments"]
    expected = {str(docs["refund"]): "paid", str(docs["payment"]): "paid", str(docs["payment_refund"]): "in_process"}
    check(all(pays[pid][0] in ("paid", "in_process") for pid in expected),
          f"uninstall: the module's payments and refunds still confirmed {pays}")
    operations = result.get("odoo_operations") or {}
    check(operations.get("invoice") == "posted" and operations.get("paid") in ("paid", "in_payment")
          and operations.get("reversal") == "posted",
          f"uninstall: post an invoice, Register Payment, reverse a move {operations}")
    subprocess.run(["dropdb", "--if-exists", db], check=False)
    print(f"lifecycle: {time.time() - started:.0f}s")
    print(f"lifecycle: {passed} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
