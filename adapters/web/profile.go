package web

import (
	"io"
	"net/http"
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// kindOption is an option of a select.
type kindOption struct{ Value, Title string }

var scanKindOptions = []kindOption{
	{"id_card", scanKinds["id_card"]}, {"driving_licence", scanKinds["driving_licence"]},
	{"vehicle_registration", scanKinds["vehicle_registration"]}, {"passport", scanKinds["passport"]},
}

type profilePage struct {
	Person       cabinet.PersonalData
	PolicyNumber string
	Scans        []cabinet.ScanInfo
	ScanKinds    []kindOption
	ScanKind     string // the kind chosen in an upload that was refused
}

// personFields are the fields of the personal data form; the service names
// them personalData.<name>.
var personFields = []string{
	"lastName", "firstName", "middleName", "birthDate", "phone", "additionalPhone", "email", "address",
	"documentType", "documentNumber", "documentIssuedBy", "documentIssuedOn", "drivingLicence", "drivingLicenceDate",
	"policyNumber",
}

// profile is "Мои данные": the personal data KIAS keeps and the scans of
// the client's documents.
func (h *Handler) profile(w http.ResponseWriter, r *http.Request) {
	resp, err := call[cabinet.GetPersonalDataResponse](h, r, "GetPersonalData", &cabinet.GetPersonalDataRequest{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showProfile(w, r, http.StatusOK, profilePage{Person: resp.PersonalData}, nil)
}

// showProfile draws the page with the client's scans.
func (h *Handler) showProfile(w http.ResponseWriter, r *http.Request, status int, p profilePage, errs Errors) {
	scans, err := call[cabinet.ListDocumentScansResponse](h, r, "ListDocumentScans", &cabinet.ListDocumentScansRequest{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Scans, p.ScanKinds = scans.Scans, scanKindOptions
	h.render(w, r, status, "profile", view{Section: "profile", Errors: errs, Data: p})
}

// saveProfile saves the personal data to KIAS. A new phone, which is the
// login, needs the number of one of the client's policies.
func (h *Handler) saveProfile(w http.ResponseWriter, r *http.Request) {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	p := profilePage{PolicyNumber: v("policyNumber"), Person: cabinet.PersonalData{
		LastName: v("lastName"), FirstName: v("firstName"), MiddleName: v("middleName"), IIN: v("iin"),
		BirthDate: isoDate(v("birthDate")), Phone: v("phone"), AdditionalPhone: v("additionalPhone"),
		Email: v("email"), Address: v("address"), DocumentType: v("documentType"), DocumentNumber: v("documentNumber"),
		DocumentIssuedBy: v("documentIssuedBy"), DocumentIssuedOn: isoDate(v("documentIssuedOn")),
		DrivingLicence: v("drivingLicence"), DrivingLicenceDate: isoDate(v("drivingLicenceDate")),
	}}
	errs := Errors{}
	required(errs, r, map[string]string{"lastName": "Введите фамилию.", "firstName": "Введите имя."})
	if errs.Any() {
		h.showProfile(w, r, http.StatusUnprocessableEntity, p, errs)
		return
	}
	req := &cabinet.UpdatePersonalDataRequest{PersonalData: p.Person, PolicyNumber: p.PolicyNumber}
	req.PersonalData.IIN = "" // read only; the service takes it from the session
	if _, err := call[cabinet.UpdatePersonalDataResponse](h, r, "UpdatePersonalData", req); err != nil {
		if errs, ok := formErrors(err, personFields...); ok {
			h.showProfile(w, r, http.StatusUnprocessableEntity, p, errs)
			return
		}
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/profile", "profile")
}

// uploadScan stores a scan of a document in KIAS.
func (h *Handler) uploadScan(w http.ResponseWriter, r *http.Request) {
	kind := r.PostFormValue("scanKind")
	refused := func(errs Errors) {
		resp, err := call[cabinet.GetPersonalDataResponse](h, r, "GetPersonalData", &cabinet.GetPersonalDataRequest{})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.showProfile(w, r, http.StatusUnprocessableEntity, profilePage{Person: resp.PersonalData, ScanKind: kind}, errs)
	}
	req, errs := scanUpload(r, kind)
	if errs.Any() {
		refused(errs)
		return
	}
	if _, err := call[cabinet.UploadDocumentScanResponse](h, r, "UploadDocumentScan", req); err != nil {
		errs, ok := formErrors(err, "kind", "fileName", "content", "contentType")
		if !ok {
			h.fail(w, r, err)
			return
		}
		refused(uploadErrors(errs))
		return
	}
	redirect(w, r, "/profile", "scan")
}

// scanUpload reads the upload form. The type of the file is what its bytes
// say, not what the browser claimed; the service checks the same.
func scanUpload(r *http.Request, kind string) (*cabinet.UploadDocumentScanRequest, Errors) {
	errs := Errors{}
	if kind == "" {
		errs["scanKind"] = "Выберите, какой это документ."
	}
	file, header, err := r.FormFile("scanFile")
	if err != nil {
		errs["scanFile"] = "Выберите файл: JPEG, PNG или PDF до 700 КБ."
		return nil, errs
	}
	defer file.Close()
	content, err := io.ReadAll(file)
	if err != nil || len(content) == 0 {
		errs["scanFile"] = "Файл пустой или не прочитан. Выберите его снова."
		return nil, errs
	}
	name := header.Filename
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:] // some browsers send the whole path
	}
	return &cabinet.UploadDocumentScanRequest{
		Kind: kind, FileName: name, ContentType: http.DetectContentType(content), Content: content,
	}, errs
}

// uploadErrors names the upload form's own fields, which differ from the
// personal data form's on the same page.
func uploadErrors(errs Errors) Errors {
	out := Errors{}
	for f, m := range errs {
		switch f {
		case "kind":
			out["scanKind"] = m
		case "fileName", "content", "contentType":
			out["scanFile"] = m
		default:
			out[f] = m
		}
	}
	return out
}

// scan sends one of the client's scans to be saved.
func (h *Handler) scan(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !scanIDLike(id) {
		h.notFound(w, r)
		return
	}
	resp, err := call[cabinet.GetDocumentScanResponse](h, r, "GetDocumentScan", &cabinet.GetDocumentScanRequest{ScanID: id})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ct := resp.Scan.ContentType
	if ct != "image/jpeg" && ct != "image/png" && ct != "application/pdf" {
		ct = "application/octet-stream"
	}
	download(w, ct, resp.Scan.FileName, resp.Content)
}

// scanIDLike accepts the IDs KIAS gives scans: letters, digits, dashes and
// underscores.
func scanIDLike(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
