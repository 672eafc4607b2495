-- Sequential SLOs now carry a change detector instead of per-stage log likelihood ratios. The
-- evidence of the finished stages becomes the detector's first start point (weight 1/2); the
-- current stage is counted again from its start by the next check.
UPDATE "releases" SET "evidence" = (
  SELECT coalesce(jsonb_agg(
    CASE WHEN slo ? 'earlierStages' THEN jsonb_build_object(
      'detector', (SELECT jsonb_agg((ratio::text)::float8 - ln(2) ORDER BY i) FROM jsonb_array_elements(slo->'earlierStages') WITH ORDINALITY AS ratios(ratio, i)),
      'startPoints', 1,
      'counted', NULL
    ) ELSE slo END
    ORDER BY position), '[]'::jsonb)
  FROM jsonb_array_elements("evidence") WITH ORDINALITY AS slos(slo, position)
);
