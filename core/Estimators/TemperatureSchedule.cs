namespace CommLab.Estimators;

/// <summary>The exponential annealing of TAGS: tau_n = start * (end / start)^(n / period) for n up to
/// the period, then end. The authors multiply tau by (end / start)^(1/period) at each update; the closed
/// form gives the same values without the rounding drift of a long product.</summary>
public static class TemperatureSchedule
{
    /// <summary>The temperature after <paramref name="updates"/> gradient updates.</summary>
    public static double Exponential(double start, double end, long period, long updates)
    {
        if (updates >= period) return end;
        if (updates <= 0) return start;
        return start * Math.Pow(end / start, (double)updates / period);
    }
}
