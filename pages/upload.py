"""数据导入: upload task lists, progress reports and unit or leader lists; preview what the
import creates and updates, commit only on 确认导入; the import history below.

The work (options, the import through etl.importer.import_files, the frames) is in ui/upload.py.
"""

import streamlit as st

from etl.importer import InputFile
from ui import state
from ui import upload as uploads

PREVIEW_KEY = "upload_preview"   # (signature, ImportResult) of the last preview
DONE_KEY = "upload_done"         # success message of the last commit, shown once

con = state.connection()

st.title("数据导入")
st.caption("上传各单位已有的督办事项清单、进展情况报送表、单位或领导名单（CSV 或 Excel，可多选）。"
           "先预览将要新增和更新的内容，点击“确认导入”后才写入台账；有任何错误行的文件不会导入。")

if done := st.session_state.pop(DONE_KEY, None):
    st.success(done, icon=":material/check_circle:")

files = st.file_uploader(
    "选择文件", type=["csv", "xlsx", "xls"], accept_multiple_files=True, key="upload_files",
    help="CSV 支持 UTF-8 和 GBK 编码；Excel 读取全部工作表",
)
kind_column, title_column, date_column, actor_column = st.columns([1, 2, 1, 1])
kind_choice = kind_column.selectbox(
    "来源类型", uploads.KIND_CHOICES, key="upload_kind",
    help="“自动识别”按文件中的会议名称、来源类型、批示领导等列判断；文件中没有这些列时，请指定来源",
)
title = title_column.text_input("来源名称", key="upload_title", placeholder="如：区政府第12次常务会议")
source_date = date_column.date_input("来源日期", value=None, key="upload_date", help="会议日期或批示、交办日期")
actor = actor_column.text_input("导入人", key="upload_actor", placeholder="姓名或科室", help="记入导入记录和操作日志")
if detected := uploads.detected_kind(kind_choice, title):
    st.caption(f"按来源名称识别来源类型：{detected}")

if files:
    options = uploads.build_options(kind_choice, title, source_date, actor or "")
    progress = st.progress(0.0, text="正在读取文件…")
    inputs = []
    for index, uploaded in enumerate(files):
        progress.progress(index / (len(files) + 1), text=f"正在读取 {uploaded.name}（{index + 1}/{len(files)}）")
        inputs.append(InputFile(name=uploaded.name, data=uploaded.getvalue()))
    signature = uploads.signature(inputs, options)
    cached = st.session_state.get(PREVIEW_KEY)
    preview = cached[1] if cached and cached[0] == signature else None
    if preview is None:
        progress.progress(len(files) / (len(files) + 1), text="正在校验并生成预览…")
        try:
            preview = uploads.run_import(con, inputs, options, commit=False)
        except Exception as error:  # noqa: BLE001 - shown to the user, not as a traceback
            progress.empty()
            st.error(f"预览失败：{error}")
            st.stop()
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
    st.dataframe(uploads.preview_frame(preview), hide_index=True, key="upload_preview_table")

    if preview.has_errors:
        errors = uploads.error_frame(preview)
        st.error(f"发现 {errors.height} 处错误，本次不会导入任何数据。请按下表修改文件后重新上传。")
        st.dataframe(errors, hide_index=True, key="upload_error_table")
    elif not uploads.nothing_to_import(preview):
        if not (actor or "").strip():
            st.caption("请填写导入人后确认导入。")
        if st.button("确认导入", type="primary", key="upload_confirm", disabled=not (actor or "").strip()):
            progress = st.progress(0.5, text="正在写入台账…")
            try:
                result = uploads.run_import(con, inputs, options, commit=True)
            except Exception as error:  # noqa: BLE001
                progress.empty()
                st.error(f"导入失败，台账未作任何更改：{error}")
                st.stop()
            progress.empty()
            st.session_state.pop(PREVIEW_KEY, None)
            if result.committed:
                state.data_changed()
                st.session_state[DONE_KEY] = uploads.success_message(result)
                st.rerun()
            st.error("导入未提交，台账未作任何更改。")
            if result.has_errors:
                st.dataframe(uploads.error_frame(result), hide_index=True)

st.divider()
st.subheader("导入记录")
batches = uploads.batch_table(con)
if batches.is_empty():
    st.info("台账中还没有导入记录。")
else:
    st.dataframe(batches, hide_index=True, key="upload_batches")
    labels = {row["批次"]: f"{row['时间']}　{row['导入人']}　{row['文件数']} 个文件" for row in batches.iter_rows(named=True)}
    batch_id = st.selectbox("查看批次中的文件", list(labels), format_func=labels.get, key="upload_batch")
    st.dataframe(uploads.batch_file_table(con, batch_id), hide_index=True, key="upload_batch_files")
