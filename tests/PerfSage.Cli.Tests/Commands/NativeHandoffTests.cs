namespace PerfSage.Cli.Tests;

/// <summary>
/// Which command lines the native build (Native AOT, issue #13 item 3) runs itself and which it hands to the runtime build
/// (<c>dotnet perfsage.dll</c>): the fast commands with the managed engine stay native; training, few-shot evaluation, dataset
/// jobs, pictures and the TorchSharp engine need the JIT or libraries that are not AOT-safe. Each case is the command line a
/// user types, parsed by the real command tree.
/// </summary>
public sealed class NativeHandoffTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Theory]
    [InlineData("--version")]
    [InlineData("--help")]
    [InlineData("inspect", "m.tflite")]
    [InlineData("estimate", "m.tflite", "--target", "ethos-u55-128", "--per-layer")]
    [InlineData("targets", "--boards")]
    [InlineData("predict", "m.tflite", "--target", "ethos-u55")]
    [InlineData("predict", "m.tflite", "--target", "ethos-u55", "--engine", "managed")]
    [InlineData("score", "models/", "--all-targets", "--out", "s.csv", "--budget", "latency_ms<=20")]
    [InlineData("-v", "score", "models/", "--target", "cortex-m7", "--out", "s.csv")]
    public void Fast_commands_with_the_managed_engine_run_natively(params string[] args) =>
        Assert.True(PerfSageApp.RunsNatively(args, NoEnvironment), string.Join(' ', args));

    [Theory]
    [InlineData("train", "--data", "d", "--out", "m")]
    [InlineData("eval", "--model", "m", "--data", "d")]
    [InlineData("dataset", "build", "--space", "mobilenet", "--out", "d")]
    [InlineData("dataset", "import-fbnet", "--csv", "f.csv", "--out", "d")]
    [InlineData("predict", "m.tflite", "--target", "ethos-u55", "--engine", "torch")]
    [InlineData("score", "models/", "--all-targets", "--out", "s.csv", "--engine", "torch")]
    [InlineData("estimate", "m.tflite", "--target", "ethos-u55-128", "--per-layer", "--plot", "p.png")]
    [InlineData("predict", "m.tflite", "--target", "ethos-u55", "--plot", "p.png")]
    public void Training_dataset_jobs_pictures_and_the_torch_engine_are_handed_over(params string[] args) =>
        Assert.False(PerfSageApp.RunsNatively(args, NoEnvironment), string.Join(' ', args));

    [Fact]
    public void PERFSAGE_ENGINE_torch_hands_prediction_over_and_the_option_wins_over_it()
    {
        Func<string, string?> torch = name => name == "PERFSAGE_ENGINE" ? "torch" : null;
        Assert.False(PerfSageApp.RunsNatively(["predict", "m.tflite", "--target", "cortex-m7"], torch));
        Assert.False(PerfSageApp.RunsNatively(["score", "models/", "--all-targets", "--out", "s.csv"], torch));
        Assert.True(PerfSageApp.RunsNatively(["predict", "m.tflite", "--target", "cortex-m7", "--engine", "managed"], torch));
        // inspect and estimate never run a network: the variable does not move them.
        Assert.True(PerfSageApp.RunsNatively(["inspect", "m.tflite"], torch));
    }

    [Fact]
    public void The_runtime_build_of_the_tests_is_not_the_native_build() =>
        // The hand-over happens only without a JIT: in these tests (and `dotnet perfsage.dll`) every command runs in-process.
        Assert.False(NativeHandoff.IsNativeBuild);
}
