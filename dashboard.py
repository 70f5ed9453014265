"""督查督办台账 — the dashboard's entry point: sign-in, then the pages the user may open
(ui/pages.py lists them, ledger/access.py decides who may open which).

Any failure past this point (台账正忙, 台账不存在, anything unexpected) is shown as a Chinese
message saying what to do; its details go to the server log only (ui.state.show_failure)."""

import streamlit as st

from ui import auth, look, pages, state

look.page_setup()
state.prepare()
try:
    user = auth.current_user()
    if user is None:
        st.navigation([st.Page(auth.login_page, title="登录", icon=":material/login:", url_path="login")]).run()
except Exception as error:  # noqa: BLE001 - a message for the visitor, the details in the log
    state.show_failure(error)
    st.stop()
if user is None:
    st.stop()

navigation = st.navigation([page.st_page() for page in pages.for_user(user)])
current = pages.BY_TITLE.get(navigation.title)
auth.account_box(user)
state.sidebar(user, current.sidebar if current else ())
try:
    navigation.run()
except Exception as error:  # noqa: BLE001 - a message for the visitor, the details in the log
    state.show_failure(error)
