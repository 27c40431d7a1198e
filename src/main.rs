fn main() -> std::process::ExitCode {
    smarteka::cli::main()
}
