package workflow

import "kiemsat/domain"

// The procedural documents (văn bản tố tụng) the platform records. Each transition names exactly
// one; approvals name the approval documents.
const (
	DocReportExtension       domain.DocType = "report_extension"           // QĐ gia hạn thời hạn giải quyết nguồn tin
	DocCaseInstitution       domain.DocType = "case_institution"           // QĐ khởi tố vụ án hình sự
	DocCaseInstitutionChange domain.DocType = "case_institution_change"    // QĐ thay đổi, bổ sung QĐ khởi tố vụ án
	DocCaseInstitutionCancel domain.DocType = "case_institution_cancel"    // QĐ hủy bỏ QĐ khởi tố vụ án
	DocNonInstitution        domain.DocType = "non_institution"            // QĐ không khởi tố vụ án hình sự
	DocReportSuspension      domain.DocType = "report_suspension"          // QĐ tạm đình chỉ việc giải quyết nguồn tin
	DocReportResumption      domain.DocType = "report_resumption"          // QĐ phục hồi giải quyết nguồn tin
	DocProsecutorAssignment  domain.DocType = "prosecutor_assignment"      // QĐ phân công Kiểm sát viên
	DocAccusedInstitution    domain.DocType = "accused_institution"        // QĐ khởi tố bị can
	DocAccusedChange         domain.DocType = "accused_institution_change" // QĐ thay đổi, bổ sung QĐ khởi tố bị can
	DocInvestigationExt      domain.DocType = "investigation_extension"    // QĐ gia hạn thời hạn điều tra
	DocInvestigationSusp     domain.DocType = "investigation_suspension"   // QĐ tạm đình chỉ điều tra
	DocInvestigationResume   domain.DocType = "investigation_resumption"   // QĐ phục hồi điều tra
	DocInvestigationTerm     domain.DocType = "investigation_termination"  // QĐ đình chỉ điều tra
	DocInvestigationConcl    domain.DocType = "investigation_conclusion"   // Bản kết luận điều tra đề nghị truy tố
	DocSupplementaryConcl    domain.DocType = "supplementary_conclusion"   // Bản kết luận điều tra bổ sung
	DocTransfer              domain.DocType = "case_transfer"              // QĐ chuyển vụ án
	DocJoinder               domain.DocType = "case_joinder"               // QĐ nhập vụ án
	DocSeparation            domain.DocType = "case_separation"            // QĐ tách vụ án
	DocProsecutionExt        domain.DocType = "prosecution_extension"      // QĐ gia hạn thời hạn quyết định việc truy tố
	DocIndictment            domain.DocType = "indictment"                 // Bản cáo trạng
	DocIndictmentDelivery    domain.DocType = "indictment_delivery"        // Biên bản giao nhận bản cáo trạng
	DocFileToCourt           domain.DocType = "file_to_court"              // Biên bản giao nhận hồ sơ vụ án và bản cáo trạng (chuyển Tòa án)
	DocReturnSupplementary   domain.DocType = "return_for_supplementary"   // QĐ trả hồ sơ để điều tra bổ sung
	DocCaseSuspension        domain.DocType = "case_suspension"            // QĐ tạm đình chỉ vụ án
	DocCaseResumption        domain.DocType = "case_resumption"            // QĐ phục hồi vụ án
	DocCaseTermination       domain.DocType = "case_termination"           // QĐ đình chỉ vụ án
	DocAccusedSuspension     domain.DocType = "accused_suspension"         // QĐ tạm đình chỉ đối với bị can
	DocAccusedResumption     domain.DocType = "accused_resumption"         // QĐ phục hồi đối với bị can
	DocAccusedTermination    domain.DocType = "accused_termination"        // QĐ đình chỉ đối với bị can
	DocSummaryProcedure      domain.DocType = "summary_procedure"          // QĐ áp dụng thủ tục rút gọn
	DocSummaryCancel         domain.DocType = "summary_procedure_cancel"   // QĐ hủy bỏ QĐ áp dụng thủ tục rút gọn
	DocTrialDecision         domain.DocType = "trial_decision"             // QĐ đưa vụ án ra xét xử
	DocFirstJudgment         domain.DocType = "first_instance_judgment"    // Bản án hình sự sơ thẩm
	DocAppeal                domain.DocType = "appeal"                     // Đơn kháng cáo
	DocAppealProtest         domain.DocType = "appeal_protest"             // QĐ kháng nghị phúc thẩm
	DocExecutionOrder        domain.DocType = "execution_order"            // QĐ thi hành án hình sự
	DocAppellateJudgment     domain.DocType = "appellate_judgment"         // Bản án hình sự phúc thẩm
	DocAppellateRemand       domain.DocType = "appellate_remand"           // Bản án phúc thẩm hủy bản án sơ thẩm để xét xử lại
	DocAppellateDecision     domain.DocType = "appellate_decision"         // Quyết định phúc thẩm (về quyết định sơ thẩm)
	DocCassationProtest      domain.DocType = "cassation_protest"          // QĐ kháng nghị giám đốc thẩm, tái thẩm
	DocCassationDecision     domain.DocType = "cassation_decision"         // QĐ giám đốc thẩm, tái thẩm
	DocExecutionCompleted    domain.DocType = "execution_completed"        // Giấy chứng nhận chấp hành xong án phạt
	DocUrgentHoldOrder       domain.DocType = "urgent_hold_order"          // Lệnh giữ người trong trường hợp khẩn cấp
	DocArrestOrder           domain.DocType = "arrest_order"               // Lệnh bắt bị can, bị cáo để tạm giam
	DocCustodyDecision       domain.DocType = "custody_decision"           // QĐ tạm giữ
	DocCustodyExtension      domain.DocType = "custody_extension"          // QĐ gia hạn tạm giữ
	DocDetentionOrder        domain.DocType = "detention_order"            // Lệnh tạm giam
	DocDetentionExtension    domain.DocType = "detention_extension"        // QĐ gia hạn tạm giam
	DocBailDecision          domain.DocType = "bail_decision"              // QĐ cho bảo lĩnh
	DocSuretyDecision        domain.DocType = "surety_decision"            // QĐ đặt tiền để bảo đảm
	DocResidenceBan          domain.DocType = "residence_ban_order"        // Lệnh cấm đi khỏi nơi cư trú
	DocWantedNotice          domain.DocType = "wanted_notice"              // QĐ truy nã
	DocMeasureEnd            domain.DocType = "measure_end"                // QĐ hủy bỏ, thay thế biện pháp ngăn chặn; QĐ trả tự do
	DocApproval              domain.DocType = "approval"                   // QĐ phê chuẩn
	DocRefusal               domain.DocType = "refusal"                    // QĐ không phê chuẩn
	DocCancellation          domain.DocType = "cancellation"               // QĐ hủy bỏ
)

// DocName is a document type's name in Vietnamese and English.
type DocName struct{ VI, EN string }

// DocNames names every document type.
var DocNames = map[domain.DocType]DocName{
	DocReportExtension:       {"Quyết định gia hạn thời hạn giải quyết nguồn tin về tội phạm", "Extension of the crime report resolution period"},
	DocCaseInstitution:       {"Quyết định khởi tố vụ án hình sự", "Decision to institute a criminal case"},
	DocCaseInstitutionChange: {"Quyết định thay đổi, bổ sung quyết định khởi tố vụ án", "Decision changing or adding to the institution of the case"},
	DocCaseInstitutionCancel: {"Quyết định hủy bỏ quyết định khởi tố vụ án", "Cancellation of the decision to institute the case"},
	DocNonInstitution:        {"Quyết định không khởi tố vụ án hình sự", "Decision not to institute a criminal case"},
	DocReportSuspension:      {"Quyết định tạm đình chỉ việc giải quyết nguồn tin về tội phạm", "Suspension of the crime report resolution"},
	DocReportResumption:      {"Quyết định phục hồi giải quyết nguồn tin về tội phạm", "Resumption of the crime report resolution"},
	DocProsecutorAssignment:  {"Quyết định phân công Kiểm sát viên thực hành quyền công tố, kiểm sát điều tra", "Assignment of the prosecutor supervising the investigation"},
	DocAccusedInstitution:    {"Quyết định khởi tố bị can", "Decision to prosecute an accused"},
	DocAccusedChange:         {"Quyết định thay đổi, bổ sung quyết định khởi tố bị can", "Decision changing or adding charges against an accused"},
	DocInvestigationExt:      {"Quyết định gia hạn thời hạn điều tra", "Extension of the investigation period"},
	DocInvestigationSusp:     {"Quyết định tạm đình chỉ điều tra", "Suspension of the investigation"},
	DocInvestigationResume:   {"Quyết định phục hồi điều tra", "Resumption of the investigation"},
	DocInvestigationTerm:     {"Quyết định đình chỉ điều tra", "Termination of the investigation"},
	DocInvestigationConcl:    {"Bản kết luận điều tra đề nghị truy tố", "Investigation conclusion recommending prosecution"},
	DocSupplementaryConcl:    {"Bản kết luận điều tra bổ sung", "Conclusion of the supplementary investigation"},
	DocTransfer:              {"Quyết định chuyển vụ án", "Decision to transfer the case"},
	DocJoinder:               {"Quyết định nhập vụ án", "Decision to join cases"},
	DocSeparation:            {"Quyết định tách vụ án", "Decision to separate a case"},
	DocProsecutionExt:        {"Quyết định gia hạn thời hạn quyết định việc truy tố", "Extension of the prosecution decision period"},
	DocIndictment:            {"Bản cáo trạng", "Indictment"},
	DocIndictmentDelivery:    {"Biên bản giao nhận bản cáo trạng", "Record of the indictment's delivery to the accused"},
	DocFileToCourt:           {"Biên bản giao nhận hồ sơ vụ án và bản cáo trạng", "Record of the file and indictment handed to the court"},
	DocReturnSupplementary:   {"Quyết định trả hồ sơ để điều tra bổ sung", "Return of the file for supplementary investigation"},
	DocCaseSuspension:        {"Quyết định tạm đình chỉ vụ án", "Suspension of the case"},
	DocCaseResumption:        {"Quyết định phục hồi vụ án", "Resumption of the case"},
	DocCaseTermination:       {"Quyết định đình chỉ vụ án", "Termination of the case"},
	DocAccusedSuspension:     {"Quyết định tạm đình chỉ điều tra / vụ án đối với bị can", "Suspension as to one accused"},
	DocAccusedResumption:     {"Quyết định phục hồi điều tra / vụ án đối với bị can", "Resumption as to one accused"},
	DocAccusedTermination:    {"Quyết định đình chỉ điều tra / vụ án đối với bị can", "Termination as to one accused"},
	DocSummaryProcedure:      {"Quyết định áp dụng thủ tục rút gọn", "Decision to apply the summary procedure"},
	DocSummaryCancel:         {"Quyết định hủy bỏ quyết định áp dụng thủ tục rút gọn", "Cancellation of the summary procedure"},
	DocTrialDecision:         {"Quyết định đưa vụ án ra xét xử", "Decision to bring the case to trial"},
	DocFirstJudgment:         {"Bản án hình sự sơ thẩm", "First-instance judgment"},
	DocAppeal:                {"Đơn kháng cáo", "Appeal"},
	DocAppealProtest:         {"Quyết định kháng nghị phúc thẩm", "Procuracy's appellate protest"},
	DocExecutionOrder:        {"Quyết định thi hành án hình sự", "Order to execute the judgment"},
	DocAppellateJudgment:     {"Bản án hình sự phúc thẩm", "Appellate judgment"},
	DocAppellateRemand:       {"Bản án phúc thẩm hủy bản án sơ thẩm để xét xử lại", "Appellate judgment quashing for retrial"},
	DocAppellateDecision:     {"Quyết định phúc thẩm đối với quyết định sơ thẩm", "Appellate decision on a first-instance decision"},
	DocCassationProtest:      {"Quyết định kháng nghị giám đốc thẩm, tái thẩm", "Cassation or reopening protest"},
	DocCassationDecision:     {"Quyết định giám đốc thẩm, tái thẩm", "Cassation or reopening decision"},
	DocExecutionCompleted:    {"Giấy chứng nhận chấp hành xong án phạt", "Certificate that the sentence has been served"},
	DocUrgentHoldOrder:       {"Lệnh giữ người trong trường hợp khẩn cấp", "Urgent holding order"},
	DocArrestOrder:           {"Lệnh bắt bị can, bị cáo để tạm giam", "Arrest order for detention"},
	DocCustodyDecision:       {"Quyết định tạm giữ", "Custody decision"},
	DocCustodyExtension:      {"Quyết định gia hạn tạm giữ", "Extension of custody"},
	DocDetentionOrder:        {"Lệnh tạm giam", "Detention order"},
	DocDetentionExtension:    {"Quyết định gia hạn thời hạn tạm giam", "Extension of detention"},
	DocBailDecision:          {"Quyết định cho bảo lĩnh", "Bail decision"},
	DocSuretyDecision:        {"Quyết định đặt tiền để bảo đảm", "Cash surety decision"},
	DocResidenceBan:          {"Lệnh cấm đi khỏi nơi cư trú", "Residence ban"},
	DocWantedNotice:          {"Quyết định truy nã", "Wanted notice"},
	DocMeasureEnd:            {"Quyết định hủy bỏ, thay thế biện pháp ngăn chặn / trả tự do", "Cancellation or replacement of a measure, release"},
	DocApproval:              {"Quyết định phê chuẩn", "Approval"},
	DocRefusal:               {"Quyết định không phê chuẩn", "Refusal of approval"},
	DocCancellation:          {"Quyết định hủy bỏ", "Cancellation"},
}
