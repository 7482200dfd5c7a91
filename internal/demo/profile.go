package demo

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"slices"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/domain/client"
)

// profile fills the client's "my data" and "my documents" in KIAS and sets
// their notification settings, all through their session.
func (l *loader) profile(ctx context.Context, p *person) error {
	s := l.sessions[p]
	if p.settings != nil {
		if _, err := l.website(ctx, "UpdateSettings", s, key(p.label, "settings"), &cabinet.UpdateSettingsRequest{Settings: *p.settings}); err != nil {
			return err
		}
	}
	// Every demo client consented, at the insurer's office, to what their
	// contracts need; giving the same consent again writes nothing.
	for _, c := range demoConsents {
		if _, err := l.website(ctx, "GiveConsent", s, key(p.label, "consent", c.Purpose), &c); err != nil {
			return err
		}
	}
	// KIAS keeps personal data and scans, and a simulator forgets them when
	// the process ends; they are written only where missing, so that what a
	// visitor changed stays.
	out, err := l.website(ctx, "GetPersonalData", s, "", &cabinet.GetPersonalDataRequest{})
	if err != nil {
		return err
	}
	if out.(*cabinet.GetPersonalDataResponse).PersonalData.DocumentNumber == "" {
		if _, err := l.website(ctx, "UpdatePersonalData", s, "", &cabinet.UpdatePersonalDataRequest{PersonalData: p.personalData()}); err != nil {
			return err
		}
	}
	out, err = l.website(ctx, "ListDocumentScans", s, "", &cabinet.ListDocumentScansRequest{})
	if err != nil {
		return err
	}
	onFile := out.(*cabinet.ListDocumentScansResponse).Scans
	for _, sc := range p.scans {
		if slices.ContainsFunc(onFile, func(i cabinet.ScanInfo) bool { return i.Kind == sc.kind }) {
			continue
		}
		content, err := picture(sc)
		if err != nil {
			return err
		}
		req := &cabinet.UploadDocumentScanRequest{Kind: sc.kind, FileName: sc.file, ContentType: "image/png", Content: content}
		if _, err := l.website(ctx, "UploadDocumentScan", s, "", req); err != nil {
			return err
		}
	}
	return nil
}

// picture is a stand-in for a scan: a card-sized PNG with a coloured band,
// a different colour per kind, small enough for any request limit.
func picture(sc scan) ([]byte, error) {
	const w, h = 428, 270 // 85.6 × 54 mm at 5 px/mm, an ID card
	band := map[string]color.RGBA{
		"id_card":              {0x1f, 0x6f, 0xb5, 0xff},
		"driving_licence":      {0xc0, 0x39, 0x2b, 0xff},
		"vehicle_registration": {0x27, 0xae, 0x60, 0xff},
		"passport":             {0x6c, 0x34, 0x83, 0xff},
	}[sc.kind]
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{0xf4, 0xf1, 0xe8, 0xff}
			switch {
			case y < 48:
				c = band
			case x > 24 && x < 124 && y > 72 && y < 202: // where the photo goes
				c = color.RGBA{0xc8, 0xc8, 0xc8, 0xff}
			case x > 148 && x < w-24 && (y-80)%28 < 6 && y < 220: // lines of text
				c = color.RGBA{0x9a, 0x9a, 0x9a, 0xff}
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// demoConsents are the consents every demo client gave.
var demoConsents = []cabinet.GiveConsentRequest{
	{Purpose: string(client.PurposePersonalData), Scope: client.PurposePersonalData.StandardScope()},
	{Purpose: string(client.PurposeThirdParties), Scope: client.PurposeThirdParties.StandardScope()},
}
