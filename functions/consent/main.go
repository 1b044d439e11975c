// Command consent is the Lambda behind the privacy API (POST /consent, GET /consent/{subject})
// and Meta's data deletion callback (POST /meta/data-deletion, GET /meta/data-deletion/{code}).
package main

import "github.com/frontdesk-app/frontdesk/shared/app"

func main() {
	app.Main("consent", app.HTTP(app.Consent))
}
