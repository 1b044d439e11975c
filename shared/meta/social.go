package meta

func (p *parser) social(object string, e entry) {
	p.skip("", "", "not yet supported")
}
