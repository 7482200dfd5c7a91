package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/domain/kz"
)

// loadAccessCode is the access code every seeded client chooses.
const loadAccessCode = "583920"

// Seeding: each client's premium earns the points its spends take.
const (
	seedPremium      = "500000.00"
	claimsPerClient  = 2 // so that a claim is rarely still in flight when its turn comes again
	seedWorkers      = 4 // as many as argon2id hashes run at once on serve
	seedCallTimeout  = 30 * time.Second
	seedBonusTimeout = time.Minute
)

// apiClient calls the JSON API.
type apiClient struct {
	http *http.Client
	base string // http://host:port
}

// call sends body (nil for none) and decodes a 200 answer into out (nil
// to drop it). Any other answer is an error naming the path, status and
// problem code, never the body, which may hold personal data.
func (a apiClient) call(ctx context.Context, method, path, key, token string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, seedCallTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, a.base+"/api/v1"+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("X-Api-Key", key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, problemCode(raw))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: decode the answer: %w", method, path, err)
		}
	}
	return nil
}

// seeder puts the load's clients into kabinet through the API, as the
// website and the insurer's systems would.
type seeder struct {
	api        apiClient
	srv        LoadServer
	websiteKey string
	insurerKey string
}

var smsCode = regexp.MustCompile(`\d{6}`)

// seed registers n clients, each with the chosen access code, a policy
// paid in full and claimsPerClient claims, and waits until the bonus
// points of every payment are on the accounts. It returns the clients,
// the claim numbers and the smallest balance.
func (s seeder) seed(ctx context.Context, n int) ([]loadClient, []string, int64, error) {
	clients := make([]loadClient, n)
	work := make(chan int)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range seedWorkers {
		wg.Go(func() {
			for i := range work {
				c, err := s.client(ctx, i)
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("seed client %d: %w", i, err))
					mu.Unlock()
					continue
				}
				clients[i] = c
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, 0, err
	}
	var claims []string
	for i := range n {
		for k := range claimsPerClient {
			claims = append(claims, claimNumber(i, k))
		}
	}
	least, err := s.awaitBonus(ctx, clients)
	return clients, claims, least, err
}

func claimNumber(client, k int) string { return fmt.Sprintf("VD-LOAD-%05d-%d", client, k) }

// client registers the i-th client and gives them a paid policy and claims.
func (s seeder) client(ctx context.Context, i int) (loadClient, error) {
	iin, err := sessionIIN(i)
	if err != nil {
		return loadClient{}, err
	}
	phone, err := kz.ParsePhone(fmt.Sprintf("+7702%07d", i))
	if err != nil {
		return loadClient{}, err
	}
	s.srv.KIAS.AddPerson(kias.Person{IIN: iin, FirstName: "Айгерим", LastName: "Нагрузочная", Phone: phone})

	var start cabinet.StartRegistrationResponse
	if err := s.api.call(ctx, "POST", "/registrations", s.websiteKey, "", map[string]string{"iin": iin.String()}, &start); err != nil {
		return loadClient{}, err
	}
	if err := s.api.call(ctx, "POST", "/registrations/"+start.RegistrationID+"/code", s.websiteKey, "", map[string]string{}, nil); err != nil {
		return loadClient{}, err
	}
	msg, ok := s.srv.SMS.Last(phone)
	code := smsCode.FindString(msg.Text)
	if !ok || code == "" {
		return loadClient{}, errors.New("no registration code reached the simulated SMS gateway")
	}
	var confirmed cabinet.ConfirmRegistrationResponse
	if err := s.api.call(ctx, "POST", "/registrations/"+start.RegistrationID+"/confirm", s.websiteKey, "",
		map[string]string{"code": code}, &confirmed); err != nil {
		return loadClient{}, err
	}
	c := loadClient{login: iin.String(), token: confirmed.Session.Token}
	if err := s.api.call(ctx, "PUT", "/me/access-code", s.websiteKey, c.token,
		cabinet.ChangeAccessCodeRequest{CurrentCode: code, NewCode: loadAccessCode}, nil); err != nil {
		return loadClient{}, err
	}

	contract := fmt.Sprintf("KD-LOAD-%05d", i)
	today := time.Now()
	var issued cabinet.IssuePolicyResponse
	if err := s.api.call(ctx, "POST", "/insurer/policies", s.insurerKey, "", cabinet.IssuePolicyRequest{
		KIASContractID: contract, Number: "PROP-" + contract, Product: "property", Insurer: "АО «Страховая компания»",
		StartsOn: cabinet.Date(today.AddDate(0, 0, -1).Format(time.DateOnly)),
		EndsOn:   cabinet.Date(today.AddDate(1, 0, -2).Format(time.DateOnly)),
		Holder:   cabinet.PersonInput{Name: "Нагрузочная Айгерим", IIN: iin.String()},
		Premium:  seedPremium, PaymentMethod: "card",
		InsuredPersons: []cabinet.PersonInput{}, Drivers: []cabinet.PersonInput{}, Installments: []cabinet.InstallmentInput{},
	}, &issued); err != nil {
		return loadClient{}, err
	}
	c.policyID = issued.PolicyID
	if err := s.api.call(ctx, "POST", "/insurer/payments", s.insurerKey, "", cabinet.RecordPaymentRequest{
		KIASContractID: contract, PaymentRef: "PAY-" + contract, Amount: seedPremium}, nil); err != nil {
		return loadClient{}, err
	}
	for k := range claimsPerClient {
		if err := s.api.call(ctx, "POST", "/insurer/claims", s.insurerKey, "", cabinet.ReportClaimRequest{
			Number: claimNumber(i, k), KIASContractID: contract, Kind: "theft"}, nil); err != nil {
			return loadClient{}, err
		}
	}
	return c, nil
}

// awaitBonus waits until every client's account shows the points of the
// payment, which a reaction accrues after the payment is answered, and
// returns the smallest balance.
func (s seeder) awaitBonus(ctx context.Context, clients []loadClient) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, seedBonusTimeout)
	defer cancel()
	least := int64(-1)
	for _, c := range clients {
		for {
			var acc cabinet.GetBonusAccountResponse
			if err := s.api.call(ctx, "GET", "/bonus", s.websiteKey, c.token, nil, &acc); err != nil {
				return 0, err
			}
			if acc.Balance > 0 {
				if least < 0 || acc.Balance < least {
					least = acc.Balance
				}
				break
			}
			select {
			case <-ctx.Done():
				return 0, fmt.Errorf("the bonus points of the seeded payments did not arrive within %s", seedBonusTimeout)
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return least, nil
}
