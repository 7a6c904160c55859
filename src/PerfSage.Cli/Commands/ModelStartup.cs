using System.CommandLine;
using System.Runtime.CompilerServices;
using PerfSage.Model;
using Serilog;

namespace PerfSage.Cli.Commands;

/// <summary>
/// Loads a model for prediction as fast as a cold process allows. The managed engine (the default) reads the model folder
/// and never loads TorchSharp or libtorch. The TorchSharp engine (<c>--engine torch</c> or <c>PERFSAGE_ENGINE=torch</c>,
/// for comparison) loads libtorch (a 460 MB library whose loading and static initialisation take about 0.3 s) on one thread
/// while the model folder's manifest and weights are read on another, and predicts on one libtorch thread by default: a
/// few small graphs gain nothing from more, and starting an OpenMP pool (which spin-waits on a busy machine) cost up to
/// 0.4 s of a cold start here.
/// </summary>
internal static class ModelStartup
{
    /// <summary>The <c>--engine managed|torch</c> option shared by predict, score and eval.</summary>
    public static Option<string?> EngineOption()
    {
        var option = new Option<string?>("--engine")
        {
            Description = $"The engine that runs the network: managed (default; no libtorch) or torch (TorchSharp, for comparison). "
                + $"Without it, {PredictionEngines.EnvironmentVariable} chooses.",
        };
        option.AcceptOnlyFromAmong([.. PredictionEngines.Names]);
        return option;
    }

    /// <summary>The engine the option names, else the one <c>PERFSAGE_ENGINE</c> names, else the managed one.</summary>
    /// <exception cref="UserInputException"><c>PERFSAGE_ENGINE</c> names no engine.</exception>
    public static PredictionEngine ResolveEngine(CliContext context, ParseResult parse, Option<string?> option)
    {
        if (parse.GetValue(option) is { } named)
        {
            return PredictionEngines.TryParse(named) ?? PredictionEngine.Managed;
        }
        string? fromEnvironment = context.Environment(PredictionEngines.EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return PredictionEngine.Managed;
        }
        return PredictionEngines.TryParse(fromEnvironment)
            ?? throw new UserInputException(
                $"{PredictionEngines.EnvironmentVariable}={fromEnvironment}: unknown engine (expected {string.Join(" or ", PredictionEngines.Names)})");
    }

    /// <summary>Loads <paramref name="dir"/> for <paramref name="engine"/>; <paramref name="threads"/> are libtorch's (TorchSharp only).</summary>
    public static Predictor LoadPredictor(string dir, ILogger log, PredictionEngine engine, int threads = 1)
    {
        if (engine == PredictionEngine.Managed)
        {
            Predictor predictor = Predictor.Load(dir, PredictionEngine.Managed);
            log.Debug("Model loaded for the managed engine {Ms} ms after process start", ProcessClock.SinceStartMs());
            return predictor;
        }
        return LoadTorch(dir, log, threads);
    }

    /// <summary>Out of <see cref="LoadPredictor"/>'s body, so that the managed path never compiles a call into libtorch's loader.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Predictor LoadTorch(string dir, ILogger log, int threads)
    {
        Task torch = Task.Run(() =>
        {
            TorchRuntime.EnsureLoaded(threads, TorchRuntime.DefaultSeed);
            log.Debug("libtorch loaded {Ms} ms after process start", ProcessClock.SinceStartMs());
        });
        Predictor predictor;
        try
        {
            predictor = Predictor.Load(dir, PredictionEngine.Torch);
        }
        finally
        {
            torch.GetAwaiter().GetResult();
        }
        // Whichever thread got to libtorch first, leave it with the thread count asked for.
        TorchRuntime.EnsureLoaded(threads, TorchRuntime.DefaultSeed);
        return predictor;
    }
}
