// Command switchboard is the whole platform in one binary: `serve` runs a
// node; `migrate`, `token` and `version` are its operator tools.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kong"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// CLI is every command and flag; each flag has a SWITCHBOARD_* variable.
type CLI struct {
	LogFormat string `name:"log-format" enum:"text,json" default:"text" env:"SWITCHBOARD_LOG_FORMAT" help:"Log format: text or json."`
	LogLevel  string `name:"log-level" enum:"debug,info,warn,error" default:"info" env:"SWITCHBOARD_LOG_LEVEL" help:"Minimum log level."`

	Serve   ServeCmd   `cmd:"" help:"Run a Switchboard node (HTTP API and SIP registrar; media arrives with a later release)."`
	Migrate MigrateCmd `cmd:"" help:"Apply database migrations and exit."`
	Token   TokenCmd   `cmd:"" help:"Create, list and revoke API tokens."`
	Rate    RateCmd    `cmd:"" help:"Rate a CSV of calls against a deck file and write the priced calls as CSV."`
	Check   CheckCmd   `cmd:"" help:"Verify every account's ledger: cached balance, entry sum and running balances agree; exits non-zero on a mismatch."`
	Demo    DemoCmd    `cmd:"" help:"Load a demo inventory of North American phone numbers (city and state from the phone-number library's data)."`
	Version VersionCmd `cmd:"" help:"Print the version."`
}

// StoreFlags select the database.
type StoreFlags struct {
	Data string `name:"data" default:"./switchboard-data" env:"SWITCHBOARD_DATA" help:"Data directory (SQLite file, blobs, admin.token)."`
	DB   string `name:"db" env:"SWITCHBOARD_DB" help:"Database URL: empty for the embedded SQLite file in the data dir, or postgres://..."`
}

func main() {
	os.Exit(Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// Main runs the command line and returns the exit code; tests call it.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("switchboard"),
		kong.Description("A self-hosted VoIP service-provider platform."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(int) {}),
		kong.UsageOnError(),
	)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintln(stderr, "switchboard:", err)
		return 2
	}
	if kctx == nil || kctx.Command() == "" {
		return 0 // --help was printed
	}
	log := newLogger(stderr, cli.LogFormat, cli.LogLevel)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &Env{Ctx: ctx, Out: stdout, Err: stderr, Log: log}
	if err := kctx.Run(env); err != nil {
		log.Error("switchboard failed", "err", err)
		return 1
	}
	return 0
}

// Env is what every command receives.
type Env struct {
	Ctx context.Context
	Out io.Writer
	Err io.Writer
	Log *slog.Logger
}

func newLogger(w io.Writer, format, level string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// VersionCmd prints the version.
type VersionCmd struct{}

// Run prints the version.
func (VersionCmd) Run(env *Env) error {
	_, err := fmt.Fprintf(env.Out, "switchboard %s\n", version)
	return err
}
