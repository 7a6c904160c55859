namespace PerfSage.Model;

/// <summary>How well a run's predictions match held-out labels after an epoch (what early stopping watches).</summary>
internal static class ValidationScore
{
    /// <summary>
    /// Mean |ln ŷ − ln y| over all labels of <paramref name="actual"/> (ln labels [graph][head], NaN where absent), filling
    /// <paramref name="mapePercent"/> with the MAPE (percent) of each head of <paramref name="heads"/> that has labels.
    /// </summary>
    public static double Of(float[][] predicted, float[][] actual, IReadOnlyList<HeadManifest> heads, Dictionary<string, double> mapePercent)
    {
        int headCount = heads.Count;
        var apeSum = new double[headCount];
        var counts = new int[headCount];
        double absSum = 0;
        long total = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            for (int k = 0; k < headCount; k++)
            {
                float y = actual[i][k];
                if (float.IsNaN(y))
                {
                    continue;
                }
                double d = predicted[i][k] - (double)y;
                absSum += Math.Abs(d);
                total++;
                apeSum[k] += Math.Abs(Math.Exp(d) - 1);
                counts[k]++;
            }
        }
        for (int k = 0; k < headCount; k++)
        {
            if (counts[k] > 0)
            {
                mapePercent[heads[k].Key] = 100 * apeSum[k] / counts[k];
            }
        }
        return total > 0 ? absSum / total : 0;
    }
}
