module CommLab.Tests.Main

open Expecto
open Expecto.Impl

/// Expecto's own summary is not read by CI, so the counts are kept and printed as a plain
/// `N passed, N failed, N skipped` line once Expecto has finished writing.
let mutable private counts = None

let private recordCounts (printer: TestPrinters) =
    { printer with
        summary =
            fun cfg summary ->
                async {
                    do! printer.summary cfg summary
                    counts <- Some(summary.passed.Length, summary.failed.Length + summary.errored.Length, summary.ignored.Length)
                } }

/// Runs every test body inside a TorchSharp dispose scope. Outside a scope, a temporary tensor (say
/// the `randn` in `randn(..) * 3f`) is unreferenced while libtorch still reads it, so the garbage
/// collector may finalize it mid-call: a use-after-free that crashed about one parallel run in five.
/// A scope holds every tensor a test creates until the test ends.
let rec private inDisposeScopes (test: Test) : Test =
    let scoped (code: TestCode) =
        match code with
        | Sync body -> Sync(fun () -> use _ = TorchSharp.torch.NewDisposeScope() in body ())
        | SyncWithCancel body -> SyncWithCancel(fun ct -> use _ = TorchSharp.torch.NewDisposeScope() in body ct)
        | other -> other
    match test with
    | TestCase (code, state) -> TestCase(scoped code, state)
    | TestList (tests, state) -> TestList(List.map inDisposeScopes tests, state)
    | TestLabel (label, inner, state) -> TestLabel(label, inDisposeScopes inner, state)
    | Test.Sequenced (how, inner) -> Test.Sequenced(how, inDisposeScopes inner)

let allTests =
    testList "CommLab" [
        JsonTests.tests
        SweepTests.tests
        RunStoreTests.tests
        RunnerTests.tests
        PlotsTests.tests
        MarkdownTests.tests
        ApprovalTests.tests
        NativeTests.tests
        QuantizerTests.tests
        GumbelTests.tests
        EstimatorTests.tests
        EstimatorConfigTests.tests
        ChannelTests.tests
        ReformulationTests.tests
        ObjectWorldTests.tests
        MetricsTests.tests
        LanguageAnalysisTests.tests
        InteractionsTests.tests
        BadInputTests.tests
        TrainerTests.tests
        DeviceTests.tests
        ObjectGameConfigTests.tests
        ReproducibilityTests.tests
        ResultsFrameTests.tests
        SymbolicTests.tests
        ScheduleFreeTests.tests
        LewisGameTests.tests
        EpochLoopTests.tests
        ImageGameTests.tests
        ImageGameTests.training
        EpochCheckpointTests.tests
        SmsCommandTests.tests
        RenderTests.tests
        ForagingTests.tests
        WarehouseTests.tests
        EnvsCommandTests.tests
        StatisticsTests.tests
        TensorBoardTests.tests
        MarlNetworkTests.tests
        MarlReplayTests.tests
        MaddpgSettingsTests.tests
        MaddpgTrainerTests.tests
        MaddpgReportsTests.tests
        ExperimentContractTests.tests
        ExperimentSmokeTests.tests
        SlurmTests.tests
        ImageDataTests.tests
        Banking77Tests.tests
        SafetensorsTests.tests
        WordPieceTests.tests
        DistilBertTests.tests
        SentenceGameTests.tests
        SentenceGameTests.parts
        SentenceGameTests.training
    ]

[<EntryPoint>]
let main argv =
    // Before any test touches a tensor: MKL accepts its reproducible mode only before its first
    // computation, and libtorch is loaded by path (CommLab.Devices.TorchNatives). Missing natives
    // end the run with the reason, not a stack trace.
    try
        CommLab.Training.Reproducibility.Ensure() |> ignore
    with :? System.DllNotFoundException as e ->
        eprintfn "%s" e.Message
        exit 2
    let cli = [ CLIArguments.Fail_On_Focused_Tests; CLIArguments.No_Spinner; CLIArguments.Colours 0; CLIArguments.Printer(recordCounts defaultConfig.printer) ]
    let code = runTestsWithCLIArgs cli argv (inDisposeScopes allTests)
    stdout.Flush()
    // Expecto wraps Console.Out (it pads lines); write the summary to the raw stream instead.
    let line =
        match counts with
        | Some (passed, failed, skipped) -> sprintf "%d passed, %d failed, %d skipped" passed failed skipped
        | None -> "0 passed, 1 failed, 0 skipped"
    use raw = new System.IO.StreamWriter(System.Console.OpenStandardOutput())
    raw.Write("\n" + line + "\n")
    // build.fsx repeats the line after FAKE's own report, so it is the last thing CI reads.
    match System.Environment.GetEnvironmentVariable "COMMLAB_TEST_SUMMARY" with
    | null | "" -> ()
    | path -> System.IO.File.WriteAllText(path, line)
    code
