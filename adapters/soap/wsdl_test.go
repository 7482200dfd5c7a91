package soap

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
)

// definitions is the part of a WSDL document the tests look at.
type definitions struct {
	TargetNamespace string `xml:"targetNamespace,attr"`
	Schema          struct {
		TargetNamespace    string `xml:"targetNamespace,attr"`
		ElementFormDefault string `xml:"elementFormDefault,attr"`
		Elements           []struct {
			Name string `xml:"name,attr"`
		} `xml:"http://www.w3.org/2001/XMLSchema element"`
		SimpleTypes []simpleType `xml:"http://www.w3.org/2001/XMLSchema simpleType"`
	} `xml:"types>schema"`
	Messages []struct {
		Name  string `xml:"name,attr"`
		Parts []struct {
			Name    string `xml:"name,attr"`
			Element string `xml:"element,attr"`
		} `xml:"http://schemas.xmlsoap.org/wsdl/ part"`
	} `xml:"http://schemas.xmlsoap.org/wsdl/ message"`
	PortTypes []struct {
		Name       string `xml:"name,attr"`
		Operations []struct {
			Name  string `xml:"name,attr"`
			Input struct {
				Message string `xml:"message,attr"`
			} `xml:"http://schemas.xmlsoap.org/wsdl/ input"`
			Output struct {
				Message string `xml:"message,attr"`
			} `xml:"http://schemas.xmlsoap.org/wsdl/ output"`
			Fault struct {
				Name    string `xml:"name,attr"`
				Message string `xml:"message,attr"`
			} `xml:"http://schemas.xmlsoap.org/wsdl/ fault"`
		} `xml:"http://schemas.xmlsoap.org/wsdl/ operation"`
	} `xml:"http://schemas.xmlsoap.org/wsdl/ portType"`
	Bindings []struct {
		Name       string            `xml:"name,attr"`
		Type       string            `xml:"type,attr"`
		Binding    []wsdlSOAPBinding `xml:"binding"`
		Operations []struct {
			Name      string `xml:"name,attr"`
			Operation struct {
				XMLName    xml.Name
				SOAPAction string `xml:"soapAction,attr"`
			} `xml:"operation"`
			Fault struct {
				Name string `xml:"name,attr"`
				Body struct {
					Name string `xml:"name,attr"`
					Use  string `xml:"use,attr"`
				} `xml:"fault"`
			} `xml:"http://schemas.xmlsoap.org/wsdl/ fault"`
		} `xml:"http://schemas.xmlsoap.org/wsdl/ operation"`
	} `xml:"http://schemas.xmlsoap.org/wsdl/ binding"`
	Services []struct {
		Name  string `xml:"name,attr"`
		Ports []struct {
			Name    string `xml:"name,attr"`
			Binding string `xml:"binding,attr"`
			Address struct {
				XMLName  xml.Name
				Location string `xml:"location,attr"`
			} `xml:"address"`
		} `xml:"http://schemas.xmlsoap.org/wsdl/ port"`
	} `xml:"http://schemas.xmlsoap.org/wsdl/ service"`
}

type simpleType struct {
	Name   string `xml:"name,attr"`
	Values []struct {
		Value string `xml:"value,attr"`
	} `xml:"http://www.w3.org/2001/XMLSchema restriction>enumeration"`
}

type wsdlSOAPBinding struct {
	XMLName   xml.Name
	Style     string `xml:"style,attr"`
	Transport string `xml:"transport,attr"`
}

func TestWSDL(t *testing.T) {
	s := newServer(t)
	resp, err := http.Get(s.url() + "?wsdl")
	require.NoError(t, err)
	body := readAll(t, resp)
	assert.Equal(t, "text/xml; charset=utf-8", resp.Header.Get("Content-Type"))

	var d definitions
	require.NoError(t, xml.Unmarshal(body, &d))
	assert.Equal(t, Namespace, d.TargetNamespace)
	assert.Equal(t, Namespace, d.Schema.TargetNamespace)
	assert.Equal(t, "qualified", d.Schema.ElementFormDefault)

	t.Run("every operation has its elements, messages and bindings", func(t *testing.T) {
		var elements []string
		for _, e := range d.Schema.Elements {
			assert.NotContains(t, elements, e.Name, "element names are unique")
			elements = append(elements, e.Name)
		}
		require.Len(t, d.PortTypes, 1)
		require.Len(t, d.Bindings, 2)
		ops := cabinet.Operations()
		require.Len(t, d.PortTypes[0].Operations, len(ops))
		for i, op := range ops {
			assert.Contains(t, elements, op.Name)
			assert.Contains(t, elements, op.Name+"Response")
			pt := d.PortTypes[0].Operations[i]
			assert.Equal(t, op.Name, pt.Name)
			assert.Equal(t, "tns:"+op.Name+"Request", pt.Input.Message)
			assert.Equal(t, "tns:"+op.Name+"Response", pt.Output.Message)
			assert.Equal(t, "tns:KabinetFault", pt.Fault.Message)
			for _, b := range d.Bindings {
				bo := b.Operations[i]
				assert.Equal(t, op.Name, bo.Name)
				assert.Equal(t, "urn:kabinet:v1#"+op.Name, bo.Operation.SOAPAction)
				assert.Equal(t, pt.Fault.Name, bo.Fault.Name)
				assert.Equal(t, pt.Fault.Name, bo.Fault.Body.Name)
				assert.Equal(t, "literal", bo.Fault.Body.Use)
			}
		}
		assert.Contains(t, elements, "KabinetFault")
		for _, m := range d.Messages {
			require.Len(t, m.Parts, 1, m.Name)
		}
	})

	t.Run("two bindings of one portType, one service with two ports at one address", func(t *testing.T) {
		spaces := []string{}
		for _, b := range d.Bindings {
			assert.Equal(t, "tns:Kabinet", b.Type)
			require.Len(t, b.Binding, 1)
			assert.Equal(t, "document", b.Binding[0].Style)
			assert.Equal(t, "http://schemas.xmlsoap.org/soap/http", b.Binding[0].Transport)
			spaces = append(spaces, b.Binding[0].XMLName.Space)
		}
		assert.ElementsMatch(t, []string{wsdlSOAP11, wsdlSOAP12}, spaces)
		require.Len(t, d.Services, 1)
		assert.Equal(t, "KabinetService", d.Services[0].Name)
		ports := d.Services[0].Ports
		require.Len(t, ports, 2)
		for _, p := range ports {
			assert.Equal(t, s.url(), p.Address.Location, "the address comes from the request")
		}
		assert.Equal(t, "tns:KabinetSoap", ports[1].Binding, "the SOAP 1.1 port is last, where node-soap looks")
		assert.Equal(t, wsdlSOAP11, ports[1].Address.XMLName.Space)
	})

	t.Run("enumerations are named simple types", func(t *testing.T) {
		i := slices.IndexFunc(d.Schema.SimpleTypes, func(st simpleType) bool { return st.Name == "ListPoliciesBucket" })
		require.GreaterOrEqual(t, i, 0)
		var values []string
		for _, v := range d.Schema.SimpleTypes[i].Values {
			values = append(values, v.Value)
		}
		assert.Equal(t, []string{"all", "expiring", "active", "installments", "history"}, values)
	})

	t.Run("generation is stable", func(t *testing.T) {
		a, _, err := newWSDL(cabinet.Operations())
		require.NoError(t, err)
		b, _, err := newWSDL(cabinet.Operations())
		require.NoError(t, err)
		assert.Equal(t, a.bytes("http://x/soap"), b.bytes("http://x/soap"))
		assert.Equal(t, body, a.bytes(s.url()), "what is served is what is generated")
	})
}

func TestWSDLAddress(t *testing.T) {
	kit := cabinettest.New(t)
	h, err := NewHandler(kit.Service, Config{Address: "https://cabinet.example.kz/soap"})
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1/soap?WSDL", nil))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, 2, bytes.Count(rec.Body.Bytes(), []byte(`location="https://cabinet.example.kz/soap"`)))

	_, err = NewHandler(kit.Service, Config{Address: "cabinet.example.kz/soap"})
	assert.Error(t, err, "a relative address is refused")
	_, err = NewHandler(nil, Config{})
	assert.Error(t, err, "a service is required")
}
