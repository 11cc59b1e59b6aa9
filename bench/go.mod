module github.com/ferryftp/ftp/bench

go 1.26.0

require (
	github.com/ferryftp/ftp v0.0.0
	github.com/jlaffaye/ftp v0.2.4
)

replace github.com/ferryftp/ftp => ../
