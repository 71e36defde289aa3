// Command quantity is the oracle for shipshape's quantity parser: it reads one quantity per
// line on stdin and prints `input<TAB>canonical<TAB>value` (what the API server prints, and the
// exact decimal value it computes with) or `input<TAB>!error`, parsed as the API server parses JSON: upstream resource.Quantity's
// UnmarshalJSON on the quoted string. shared/src/quantity/upstream.tsv is its output for
// shared/src/quantity/corpus.txt:
//
//	cd tests/realcluster && go run ./quantity < ../../shared/src/quantity/corpus.txt > ../../shared/src/quantity/upstream.tsv
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"k8s.io/apimachinery/pkg/api/resource"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		line := in.Text()
		quoted, _ := json.Marshal(line)
		var q resource.Quantity
		if err := q.UnmarshalJSON(quoted); err != nil {
			fmt.Fprintf(out, "%s\t!%v\n", line, err)
			continue
		}
		fmt.Fprintf(out, "%s\t%s\t%s\n", line, q.String(), q.AsDec().String())
	}
}
