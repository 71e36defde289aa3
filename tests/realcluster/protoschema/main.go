// Command protoschema prints what simcluster's protobuf decoder needs to know about the Go types
// behind the Kubernetes .proto definitions, which the .proto files do not say: which message
// each built-in kind is, and which fields keep their zero value. Every field of a generated
// message is `optional`, and the Go marshaller writes a non-pointer field even when it is zero,
// so a decoded `replicas: 0` means "zero" only where the Go field is a pointer (or has no
// `omitempty`, so the API server prints its zero value anyway). It walks the types of
// client-go's scheme, which registers every built-in kind, and prints:
//
//	kind <apiVersion> <Kind> <message>     the message a kind is encoded as
//	keep <message> <field>                 a field whose zero value is kept
//	json <message> <field> <json name>     a field whose JSON name is not its proto name
//
// tests/simcluster/proto/vendor.sh runs it into tests/simcluster/proto/go-types.txt.
package main

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"k8s.io/client-go/kubernetes/scheme"
)

func message(t reflect.Type) string {
	return strings.ReplaceAll(t.PkgPath(), "/", ".") + "." + t.Name()
}

func scalar(kind reflect.Kind) bool {
	switch kind {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32,
		reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

func main() {
	lines := map[string]bool{}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for {
			switch t.Kind() {
			case reflect.Ptr, reflect.Slice, reflect.Array:
				t = t.Elem()
				continue
			case reflect.Map:
				walk(t.Key())
				t = t.Elem()
				continue
			}
			break
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := 0; i < t.NumField(); i++ {
			field := t.Field(i)
			walk(field.Type)
			tag := field.Tag.Get("protobuf")
			if tag == "" {
				continue
			}
			name := ""
			for _, part := range strings.Split(tag, ",") {
				if strings.HasPrefix(part, "name=") {
					name = strings.TrimPrefix(part, "name=")
				}
			}
			jsonTag := strings.Split(field.Tag.Get("json"), ",")
			omitempty := false
			for _, option := range jsonTag[1:] {
				omitempty = omitempty || option == "omitempty"
			}
			if jsonTag[0] != "" && jsonTag[0] != "-" && jsonTag[0] != name {
				lines[fmt.Sprintf("json %s %s %s", message(t), name, jsonTag[0])] = true
			}
			if field.Type.Kind() == reflect.Ptr || (!omitempty && scalar(field.Type.Kind())) {
				lines[fmt.Sprintf("keep %s %s", message(t), name)] = true
			}
		}
	}
	for gvk, t := range scheme.Scheme.AllKnownTypes() {
		if gvk.Version == "__internal" || !strings.HasPrefix(t.PkgPath(), "k8s.io/") {
			continue
		}
		lines[fmt.Sprintf("kind %s %s %s", gvk.GroupVersion().String(), gvk.Kind, message(t))] = true
		walk(t)
	}
	sorted := make([]string, 0, len(lines))
	for line := range lines {
		sorted = append(sorted, line)
	}
	sort.Strings(sorted)
	for _, line := range sorted {
		fmt.Println(line)
	}
}
