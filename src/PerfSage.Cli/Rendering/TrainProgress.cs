using System.Globalization;
using PerfSage.Model;
using Serilog;

namespace PerfSage.Cli.Rendering;

/// <summary>
/// One log line per finished epoch on stderr: training loss, validation loss and validation MAPE per target (the
/// mean over that target's metrics; every head at debug level), throughput, and a mark on the best epoch so far.
/// </summary>
internal sealed class TrainProgress(ILogger log) : IProgress<EpochReport>
{
    public int LastEpoch { get; private set; }

    public void Report(EpochReport value)
    {
        LastEpoch = value.Epoch;
        CultureInfo inv = CultureInfo.InvariantCulture;
        string validation = value.ValidationLoss is double v ? string.Create(inv, $", val loss {v:F4}") : ", no validation data";
        IEnumerable<string> perTarget = value.ValidationMapePercent
            .GroupBy(kv => HeadKey.Parse(kv.Key).Target, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => string.Create(inv, $"{g.Key} {g.Average(kv => kv.Value):F1}%"));
        string mape = value.ValidationMapePercent.Count > 0 ? ", val MAPE " + string.Join(", ", perTarget) : "";
        log.Information("epoch {Epoch}/{Epochs}: loss {Loss}{Validation}{Mape} ({Rate} graphs/s, lr {Lr}){Best}",
            value.Epoch, value.EpochCount, value.TrainLoss.ToString("F4", inv), validation, mape,
            value.GraphsPerSecond.ToString("F0", inv), value.LearningRate.ToString("G3", inv), value.IsBest ? " best" : "");
        foreach ((string head, double percent) in value.ValidationMapePercent.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            log.Debug("epoch {Epoch}: val MAPE {Head} {Mape}%", value.Epoch, head, percent.ToString("F2", inv));
        }
    }
}
