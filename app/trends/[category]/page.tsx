import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { RangePicker, TrendDetailView } from "@/components/trends/trend-detail-view";
import { requireUser } from "@/lib/auth/session";
import { CATEGORIES, isCategoryId, parseRange } from "@/lib/metrics/categories";
import { displayContext } from "@/lib/metrics/preferences";
import { getTrendDetail } from "@/lib/metrics/trends";
import { localeFromAcceptLanguage } from "@/lib/metrics/units";

type Props = {
  params: Promise<{ category: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { category } = await params;
  return { title: isCategoryId(category) ? CATEGORIES[category].title : "Trends" };
}

// /trends/<category>?range=7|30|90|365: the range lives in the URL so a view can be shared and reloaded.
export default async function TrendPage({ params, searchParams }: Props) {
  const { category } = await params;
  if (!isCategoryId(category)) notFound();
  const range = parseRange((await searchParams).range);
  // An unknown range goes to the default one rather than guessing.
  if (range === null) redirect(`/trends/${category}`);
  const user = await requireUser(`/trends/${category}?range=${range}`);
  const locale = localeFromAcceptLanguage((await headers()).get("accept-language"));
  const [detail, display] = await Promise.all([
    getTrendDetail(user.id, category, range),
    displayContext(user.id, locale),
  ]);
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <p className="text-sm text-slate-500">
            <Link href="/" className="hover:text-slate-900 hover:underline">
              Dashboard
            </Link>{" "}
            <span aria-hidden="true">›</span>
          </p>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{detail.title}</h1>
          <p className="mt-1 text-sm text-slate-600">The last {range} days, from your preferred sources.</p>
        </div>
        <RangePicker category={category} range={range} />
      </div>
      <TrendDetailView detail={detail} display={display} />
    </div>
  );
}
