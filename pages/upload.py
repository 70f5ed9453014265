"""数据导入 (督查室 only): upload task lists, progress reports and unit or leader lists; preview
what the import creates and updates, commit only on 确认导入; the import history below.

The work (the upload gate, the import through ledger.actions.import_as, the frames) is in
ui/upload.py; the ledger layer checks the user's right to import again.
"""

import streamlit as st

from etl.importer import InputFile
from ledger.access import AccessDenied, can
from ledger.db import LedgerBusy
from ui import minutes_review, state, tables
from ui import upload as uploads
from ui.auth import signed_in_user
from ui.safe import md

PREVIEW_KEY = "upload_preview"   # (signature, ImportResult) of the last preview
DONE_KEY = "upload_done"         # success message of the last commit, shown once

user = signed_in_user()
st.title("数据导入")
if not can(user, "import"):
    st.error("只有督查室账号可以导入台账。")
    st.stop()
with state.reading() as con:
    limit = uploads.upload_limit_bytes(con)
st.caption("上传各单位已有的督办事项清单、进展情况报送表、单位或领导名单（CSV 或 Excel，可多选）。"
           "先预览将要新增和更新的内容，点击“确认导入”后才写入台账；有任何错误行的文件不会导入。"
           f"单个文件不超过 {limit / 1024 / 1024:g} MB。")

if done := st.session_state.pop(DONE_KEY, None):
    st.success(done, icon=":material/check_circle:")

# The widget's own English instructions ("Drag and drop…", "200MB per file") are hidden by
# ui/assets/style.css; the label says it in Chinese, with the ledger's limit, which the widget
# also enforces (whole MB, at least 1; the page's own check above is exact).
files = st.file_uploader(
    f"选择文件（可将文件拖放到此处，可多选；单个文件不超过 {limit / 1024 / 1024:g} MB）",
    accept_multiple_files=True, key="upload_files", max_upload_size=max(1, -(-limit // (1024 * 1024))),
    help="CSV（UTF-8 或 GBK 编码）或 Excel（.xlsx，读取全部工作表）；Word（.docx）中的任务表格按表格导入；"
         "会议纪要、领导批示（.docx 或 .txt）逐句识别交办事项，审核后导入；按文件内容识别格式",
)
kind_column, title_column, date_column = st.columns([1, 2, 1])
kind_choice = kind_column.selectbox(
    "来源类型", uploads.KIND_CHOICES, key="upload_kind",
    help="“自动识别”按文件中的会议名称、来源类型、批示领导等列判断；文件中没有这些列时，请指定来源",
)
title = title_column.text_input("来源名称", key="upload_title", placeholder="如：区政府第12次常务会议")
source_date = date_column.date_input("来源日期", value=None, key="upload_date", help="会议日期或批示、交办日期")
if detected := uploads.detected_kind(kind_choice, title):
    st.caption(f"按来源名称识别来源类型：{detected}")
default_deadline = st.text_input(
    "默认完成时限（可不填）", key="upload_default_deadline", placeholder="如：年底前",
    help="清单中没有写完成时限、事项内容中也没有写明时限的事项，按此时限导入，并逐项标注“采用默认时限”；"
         "不填则这些事项导入为“未明确时限”，逐项标注待核对",
)


def run(inputs, options, *, commit: bool):
    """The import, the write lock held only to write; a clear message instead of a traceback."""
    try:
        parsed = uploads.parse_uploads(inputs, options)  # outside the lock: a slow file holds nobody up
        parsed = minutes_review.apply(inputs, parsed, options)  # minutes: the clerk's review applied
        if refused := uploads.refused_unread(inputs, parsed):
            return refused
        return uploads.run_import_locked(user, inputs, options, commit=commit, parsed=parsed,
                                         reading=state.reading, writing=state.writing)
    except LedgerBusy:
        st.warning(f"{state.BUSY_NOTICE}台账未作任何更改。")
    except AccessDenied as denied:
        st.error(str(denied))
    except Exception as error:  # noqa: BLE001 - a message for the user, the details in the server log
        state.log.error("upload %s failed", "import" if commit else "preview", exc_info=error)
        st.error(f"{'导入' if commit else '预览'}失败，台账未作任何更改。请检查文件后重试；"
                 "如仍失败，请联系系统管理员查看服务器日志。")
    st.stop()


if files:
    options = uploads.build_options(kind_choice, title, source_date, default_deadline=default_deadline)
    progress = st.progress(0.0, text="正在读取文件…")
    inputs = []
    for index, uploaded in enumerate(files):
        progress.progress(index / (len(files) + 1), text=f"正在读取 {md(uploaded.name)}（{index + 1}/{len(files)}）")
        inputs.append(InputFile(name=uploaded.name, data=uploaded.getvalue()))
    if refused := uploads.rejected_uploads(inputs, limit):
        progress.empty()
        st.error("以下文件无法导入，本次不会导入任何数据：\n\n" + "\n".join(f"- {md(reason)}" for reason in refused))
        st.stop()
    signature = uploads.signature(inputs, options) + minutes_review.signature(inputs)
    cached = st.session_state.get(PREVIEW_KEY)
    preview = cached[1] if cached and cached[0] == signature else None
    if preview is None:
        progress.progress(len(files) / (len(files) + 1), text="正在校验并生成预览…")
        preview = run(inputs, options, commit=False)
        st.session_state[PREVIEW_KEY] = (signature, preview)
    progress.empty()

    st.subheader("导入预览")
    if uploads.nothing_to_import(preview):
        st.info("所选文件此前均已导入，内容相同，无需再次导入。")
    else:
        totals = uploads.totals(preview)
        for column, (label, value) in zip(
            st.columns(5),
            [("数据行", totals.rows), ("新增事项", totals.created), ("更新事项", totals.updated),
             ("新增进展", totals.progress), ("新单位", totals.new_units)],
            strict=True,
        ):
            column.metric(label, value)
    tables.plain(uploads.preview_frame(preview), key="upload_preview_table")
    # Issue 9: every task row as it will be imported, and what is to be checked, before 确认导入.
    rows = uploads.row_preview_frame(preview)
    if not rows.is_empty():
        st.markdown("**逐行预览**（请核对识别出的完成时限、责任单位和责任领导）")
        tables.plain(rows, key="upload_row_preview")
    if flagged := uploads.flag_count(preview):
        st.warning(f"有 {flagged} 处待核对：这些事项照常导入，并在事项详情中标注，请逐项核对。")
        tables.plain(uploads.flag_frame(preview), key="upload_flag_table")
    minutes_review.render(inputs)  # minutes and 批示: each proposed item, to untick or add before 确认导入

    if preview.has_errors:
        errors = uploads.error_frame(preview)
        st.error(f"发现 {errors.height} 处错误，本次不会导入任何数据。请按下表修改文件后重新上传。")
        tables.plain(errors, key="upload_error_table")
    elif not uploads.nothing_to_import(preview):
        st.caption(f"导入人：{md(user.label)}（记入导入记录和操作日志）")
        if st.button("确认导入", type="primary", key="upload_confirm"):
            progress = st.progress(0.5, text="正在写入台账…")
            result = run(inputs, options, commit=True)
            progress.empty()
            st.session_state.pop(PREVIEW_KEY, None)
            if result.committed:
                state.data_changed()
                st.session_state[DONE_KEY] = uploads.success_message(result)
                st.rerun()
            st.error("导入未提交，台账未作任何更改。")
            if result.has_errors:
                tables.plain(uploads.error_frame(result))

st.divider()
st.subheader("导入记录")
with state.reading() as con:
    batches = uploads.batch_table(con, user)
if batches.is_empty():
    st.info("台账中还没有导入记录。")
else:
    tables.plain(batches, key="upload_batches")
    labels = uploads.batch_labels(batches)
    batch_id = st.selectbox("查看批次中的文件", list(labels), format_func=labels.get, key="upload_batch")
    with state.reading() as con:
        tables.plain(uploads.batch_file_table(con, user, batch_id), key="upload_batch_files")
        downloads = uploads.file_downloads(con, user, batch_id)
    for download in downloads:
        st.download_button(download.label, download.data, file_name=download.file_name, key=download.key)
