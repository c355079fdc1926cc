use clap::Parser;
use cockpit::cli::{Cli, Cmd};
use cockpit::commands;
use cockpit::config::EXIT_CONFIG;

fn main() {
    let cli = Cli::parse();
    let code = match real_main(cli) {
        Ok(code) => code,
        Err(e) => {
            cockpit::ui::terminal::restore();
            eprintln!("cockpit: {e:#}");
            commands::EXIT_FAILURE
        }
    };
    std::process::exit(code);
}

fn real_main(cli: Cli) -> anyhow::Result<i32> {
    // What describes the program itself needs no config (a broken one included) and no log.
    match &cli.command {
        Some(Cmd::Completions(args)) => return commands::completions::run(args.shell),
        Some(Cmd::Man) => return commands::man::run(),
        Some(Cmd::Info(args)) => return commands::info::run(&cli.global, args.format),
        Some(Cmd::Config(cockpit::cli::ConfigCmd::Schema { file })) => return commands::config_schema::run(*file),
        _ => {}
    }
    // Every credential in the environment is known before anything can print it.
    cockpit::live::redact::register_env(cockpit::live::Env::process().vars());
    let setup = match commands::setup(&cli.global) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cockpit: {e}");
            return Ok(EXIT_CONFIG);
        }
    };
    cockpit::live::redact::register_config(&setup.config);
    let log =
        match cockpit::logging::init(cli.global.log_file.as_deref(), &cli.global.log_level, setup.config.log_max_files)
        {
            Ok(log) => log,
            Err(e) => {
                eprintln!("cockpit: {e}");
                return Ok(commands::EXIT_USAGE);
            }
        };
    tracing::info!(
        command = ?cli.command,
        version = env!("CARGO_PKG_VERSION"),
        log = ?log.as_ref().map(|l| &l.path),
        "cockpit starting"
    );
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(async move {
        match cli.command {
            Some(Cmd::Demo(args)) => commands::demo::run(setup, args).await,
            Some(Cmd::Drill(args)) => commands::drill::run(setup, args).await,
            Some(Cmd::Snapshot(args)) => commands::snapshot::run(setup, args).await,
            None => commands::live::run(setup, cli.global).await,
            Some(Cmd::Check) => commands::live::check(setup, cli.global).await,
            Some(Cmd::Config(cockpit::cli::ConfigCmd::Show)) => commands::config_show::run(&setup, &cli.global),
            Some(Cmd::Plan(args)) => commands::plan_run::plan(setup, args).await,
            Some(Cmd::Run(args)) => commands::plan_run::run(setup, args.into_action_args()).await,
            Some(Cmd::Report(args)) => commands::report::run(setup, args, &cli.global).await,
            Some(Cmd::Capacity(args)) => commands::capacity::run(setup, args, &cli.global).await,
            Some(Cmd::Collect(args)) => commands::collect::run(setup, args).await,
            Some(Cmd::Watch(args)) => commands::watch::run(setup, args).await,
            Some(
                Cmd::Completions(_) | Cmd::Man | Cmd::Info(_) | Cmd::Config(cockpit::cli::ConfigCmd::Schema { .. }),
            ) => {
                unreachable!("answered before the setup")
            }
        }
    })
}
