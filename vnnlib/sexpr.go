package vnnlib

import (
	"fmt"
	"strconv"
)

// Limits on a file: its S-expressions' nesting and number of atoms.
const (
	maxDepth = 200
	maxNodes = 1 << 22
)

// sexpr is an atom (list == nil, atom set) or a list.
type sexpr struct {
	atom string
	list []*sexpr
	isL  bool
	line int
}

func (e *sexpr) String() string {
	if !e.isL {
		return e.atom
	}
	s := "("
	for i, c := range e.list {
		if i > 0 {
			s += " "
		}
		if len(s) > 80 {
			return s + "…)"
		}
		s += c.String()
	}
	return s + ")"
}

// parseSexprs reads the top-level S-expressions of b: atoms are runs of
// characters other than whitespace and parentheses; ';' starts a comment to
// the end of the line. comments receives each comment's text.
func parseSexprs(b []byte, comments func(line int, text string)) ([]*sexpr, error) {
	var stack [][]*sexpr
	var lines []int
	var top []*sexpr
	line, nodes := 1, 0
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == ';':
			j := i
			for j < len(b) && b[j] != '\n' {
				j++
			}
			if comments != nil {
				comments(line, string(b[i+1:j]))
			}
			i = j
		case c == '(':
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("line %d: expressions nested more than %d deep", line, maxDepth)
			}
			stack = append(stack, nil)
			lines = append(lines, line)
			i++
		case c == ')':
			if len(stack) == 0 {
				return nil, fmt.Errorf("line %d: ')' without '('", line)
			}
			e := &sexpr{list: stack[len(stack)-1], isL: true, line: lines[len(lines)-1]}
			stack, lines = stack[:len(stack)-1], lines[:len(lines)-1]
			if len(stack) == 0 {
				top = append(top, e)
			} else {
				stack[len(stack)-1] = append(stack[len(stack)-1], e)
			}
			i++
		default:
			j := i
			for j < len(b) && !isDelim(b[j]) {
				j++
			}
			tok := string(b[i:j])
			for _, r := range tok {
				if r < 0x20 || r == 0x7f {
					return nil, fmt.Errorf("line %d: control character in %s", line, strconv.Quote(abbrev(tok)))
				}
			}
			e := &sexpr{atom: tok, line: line}
			if len(stack) == 0 {
				top = append(top, e)
			} else {
				stack[len(stack)-1] = append(stack[len(stack)-1], e)
			}
			i = j
		}
		if nodes++; nodes > maxNodes*4 {
			return nil, fmt.Errorf("line %d: more than %d tokens", line, maxNodes)
		}
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("line %d: '(' not closed at the end of the file", lines[len(lines)-1])
	}
	return top, nil
}

func isDelim(c byte) bool {
	return c == '(' || c == ')' || c == ';' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
