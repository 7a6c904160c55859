using PerfSage.Model;
using Serilog;

namespace PerfSage.Cli.Commands;

/// <summary>
/// Loads a model for prediction as fast as a cold process allows: libtorch (a 460 MB library whose loading and
/// static initialisation take about 0.3 s) loads on one thread while the model folder's manifest and weights are
/// read on another, and predictions run on one libtorch thread: a few small graphs gain nothing from more, and
/// starting an OpenMP pool (which spin-waits on a busy machine) cost up to 0.4 s of a cold start here.
/// </summary>
internal static class ModelStartup
{
    public static Predictor LoadPredictor(string dir, ILogger log, int threads = 1)
    {
        Task torch = Task.Run(() =>
        {
            TorchRuntime.EnsureLoaded(threads, TorchRuntime.DefaultSeed);
            log.Debug("libtorch loaded {Ms} ms after process start", ProcessClock.SinceStartMs());
        });
        Predictor predictor;
        try
        {
            predictor = Predictor.Load(dir);
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
