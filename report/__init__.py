from . import billing_statement_report
