"""The demo district (青川区): its generated files and the demo ledger built from them."""
