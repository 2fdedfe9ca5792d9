package simulator

import "bytes"

// Wire types. vcsim holds distributed switches as DistributedVirtualSwitch;
// vCenter reports VmwareDistributedVirtualSwitch (see dvsType). Responses
// name the concrete type in every moref (type="..." attributes; xsi:type is
// never a managed object type), and requests are translated back: morefs,
// and type names in property specs, traversal specs and container view
// types (<type>...</type>). vcsim matches the abstract type and its
// subtypes in container views and property specs, so a request for either
// type finds the switches, as on vCenter.
var (
	clientDVSAttr = []byte(` type="` + dvsType + `"`)
	vcsimDVSAttr  = []byte(` type="` + vcsimDVSType + `"`)
	clientDVSElem = []byte(`>` + dvsType + `<`)
	vcsimDVSElem  = []byte(`>` + vcsimDVSType + `<`)
)

func toVcsimTypes(body []byte) []byte {
	body = bytes.ReplaceAll(body, clientDVSAttr, vcsimDVSAttr)
	return bytes.ReplaceAll(body, clientDVSElem, vcsimDVSElem)
}

func toClientTypes(body []byte) []byte {
	return bytes.ReplaceAll(body, vcsimDVSAttr, clientDVSAttr)
}
